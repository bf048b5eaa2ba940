// Permute: y = x with its axes reordered, output dim i = input dim perm[i] (PyTorch Tensor.permute / nn.Module
// wrappers of it; ONNX Transpose with attribute perm). Input rank must equal perm.Length; any rank.
//   y[o_0, ..., o_{r-1}] = x[i] with i_{perm[k]} = o_k.     Backward: dx = dy permuted by the inverse permutation.
// The output and the input gradient are layer-owned copies (a transpose cannot be a view of contiguous storage).
// This file builds the AxisIndexMap for an input shape; IndexMapLayer runs Forward (gather) and Backward (scatter).
using System.Collections.ObjectModel;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Reorders the axes of its input: output dimension i is input dimension <c>perm[i]</c> (ONNX Transpose).</summary>
/// <remarks>
/// Forward: y = x with dimensions reordered by <see cref="Perm"/>; it throws <see cref="ArgumentException"/> when the
/// input rank differs from the length of <see cref="Perm"/>. Backward: dx = dy reordered by the inverse permutation.
/// </remarks>
public sealed class Permute : IndexMapLayer
{
    private readonly int[] _perm;

    /// <summary>Creates the layer; e.g. <c>new Permute(0, 3, 1, 2)</c> turns NHWC into NCHW and <c>new Permute(0, 2, 3, 1)</c> NCHW into NHWC.</summary>
    /// <param name="perm">A permutation of 0 .. r−1 (no negative entries, as in ONNX); r is the input rank.</param>
    /// <exception cref="ArgumentNullException"><paramref name="perm"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="perm"/> is not a permutation of 0 .. r−1 (the offending entry is named).</exception>
    public Permute(params int[] perm)
    {
        ArgumentNullException.ThrowIfNull(perm);
        _perm = (int[])perm.Clone();
        var seen = new bool[_perm.Length];
        for (int i = 0; i < _perm.Length; i++)
        {
            int p = _perm[i];
            if ((uint)p >= (uint)_perm.Length)
                throw new ArgumentException($"Permute: perm {Tensor.ShapeString(_perm)} is not a permutation of 0..{_perm.Length - 1}: entry {i} is {p}.", nameof(perm));
            if (seen[p])
                throw new ArgumentException($"Permute: perm {Tensor.ShapeString(_perm)} is not a permutation of 0..{_perm.Length - 1}: {p} appears twice.", nameof(perm));
            seen[p] = true;
        }
        Perm = Array.AsReadOnly(_perm);
    }

    /// <summary>The permutation: output dimension i is input dimension <c>Perm[i]</c>.</summary>
    public ReadOnlyCollection<int> Perm { get; }

    // Output axes that read consecutive input axes in order (perm[k + 1] = perm[k] + 1) share one table: together they
    // step through the input as one axis of their sizes' product at the innermost one's stride. A channel shuffle
    // ([N, G, C/G, H, W] by (0, 2, 1, 3, 4)) then copies C rows of H·W floats instead of C·H rows of W.
    private protected override AxisIndexMap BuildMap(ReadOnlySpan<int> shape)
    {
        if (shape.Length != _perm.Length) throw LayerHelpers.ShapeError(ToString(), $"a rank-{_perm.Length} tensor", shape);
        var stride = AxisIndexMap.Strides(shape);
        var offsets = new List<int[]>();
        var outputShape = new int[_perm.Length];
        for (int k = 0; k < _perm.Length;)
        {
            int end = k + 1;
            while (end < _perm.Length && _perm[end] == _perm[end - 1] + 1) end++;
            int length = 1;
            for (int j = k; j < end; j++) length *= outputShape[j] = shape[_perm[j]];
            int step = stride[_perm[end - 1]];
            var table = new int[length];
            for (int o = 0; o < length; o++) table[o] = o * step;
            offsets.Add(table);
            k = end;
        }
        return new AxisIndexMap(shape.ToArray(), [.. offsets], outputShape);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Permute({string.Join(", ", _perm)})";
}
