// Permute: y = x with its axes reordered, output dim i = input dim perm[i] (PyTorch Tensor.permute / nn.Module
// wrappers of it; ONNX Transpose with attribute perm). Input rank must equal perm.Length; any rank.
//   y[o_0, ..., o_{r-1}] = x[i] with i_{perm[k]} = o_k.     Backward: dx = dy permuted by the inverse permutation.
// The output and the input gradient are layer-owned copies (a transpose cannot be a view of contiguous storage).
using System.Collections.ObjectModel;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Reorders the axes of its input: output dimension i is input dimension <c>perm[i]</c> (ONNX Transpose).</summary>
public sealed class Permute : Module
{
    private readonly int[] _perm;
    private AxisIndexMap? _map;
    private Tensor? _output, _gradInput;
    private bool _ready;

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

    /// <summary>y = x with dimensions reordered by <see cref="Perm"/> (layer-owned copy, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The input rank differs from the length of <see cref="Perm"/>.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != _perm.Length) throw LayerHelpers.ShapeError(ToString(), $"a rank-{_perm.Length} tensor", input.Shape);
        if (_map is null || !input.Shape.SequenceEqual(_map.InputShape))
        {
            var stride = AxisIndexMap.Strides(input.Shape);
            var offsets = new int[_perm.Length][];
            for (int k = 0; k < _perm.Length; k++)
            {
                int axis = _perm[k];
                offsets[k] = new int[input.Dim(axis)];
                for (int o = 0; o < offsets[k].Length; o++) offsets[k][o] = o * stride[axis];
            }
            _map = new AxisIndexMap(input.Shape.ToArray(), offsets);
        }
        var y = LayerHelpers.Ensure(ref _output, _map.OutputShape);
        _map.Gather(input.Data, y.Data, 0f);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy with dimensions reordered by the inverse permutation (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, _map!.InputShape);
        _map.Scatter(gradOutput.Data, dx.Data);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Permute({string.Join(", ", _perm)})";
}
