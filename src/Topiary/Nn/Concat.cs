// Concat: runs every branch on the same input and concatenates the outputs along the channel axis 1
// (Inception / SqueezeNet fire modules; ONNX Concat axis=1).
//   branch i: x → [N, C_i, d2, ...] (all dims but axis 1 equal)   output: [N, Σ C_i, d2, ...]
//   Backward: dy is split along axis 1; dx = Σ_i branch_i.Backward(dy_i) (summed in branch order).
// Branches are named "0", "1", .... Output, split-gradient and input-gradient buffers are layer-owned.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Parallel branches whose outputs are concatenated along axis 1.</summary>
public sealed class Concat : Module
{
    private readonly Module[] _branches;
    private readonly Tensor?[] _gradSlices;
    private readonly int[] _channels;
    private readonly Tensor[] _outputs;
    private Tensor? _output, _gradInput;
    private bool _ready;

    /// <summary>Creates the block from one or more branches.</summary>
    /// <exception cref="ArgumentException">No branches.</exception>
    public Concat(params Module[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length == 0) throw new ArgumentException("Concat needs at least one branch.", nameof(branches));
        foreach (var b in branches) ArgumentNullException.ThrowIfNull(b, nameof(branches));
        _branches = (Module[])branches.Clone();
        _gradSlices = new Tensor?[branches.Length];
        _channels = new int[branches.Length];
        _outputs = new Tensor[branches.Length];
    }

    /// <summary>The branches, in concatenation order.</summary>
    public IReadOnlyList<Module> Branches => _branches;

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        for (int i = 0; i < _branches.Length; i++)
            yield return (i.ToString(System.Globalization.CultureInfo.InvariantCulture), _branches[i]);
    }

    /// <summary>Concatenates the branch outputs along axis 1 (layer-owned buffer).</summary>
    /// <exception cref="ArgumentException">A branch output has rank below 2 or differs from branch 0 outside axis 1.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ready = false;
        // Run every branch and check the shapes, then copy. Branch outputs are owned by distinct modules
        // (or are the input itself), so running a later branch never overwrites an earlier output.
        Tensor y;
        int n = 0, inner = 0, total = 0, offset = 0;
        int[]? shape0 = null;
        var outputs = _outputs;
        for (int i = 0; i < _branches.Length; i++)
        {
            var o = _branches[i].Forward(input, training);
            if (o.Rank < 2)
                throw new ArgumentException($"Concat: branch {i} output {Tensor.ShapeString(o.Shape)} has rank below 2.", nameof(input));
            if (shape0 is null)
            {
                shape0 = o.Shape.ToArray();
                n = o.Dim(0);
                inner = 1;
                for (int d = 2; d < o.Rank; d++) inner *= o.Dim(d);
            }
            else if (o.Rank != shape0.Length || o.Dim(0) != n || !o.Shape[2..].SequenceEqual(shape0.AsSpan(2)))
            {
                throw new ArgumentException(
                    $"Concat: branch {i} output {Tensor.ShapeString(o.Shape)} does not match branch 0 output {Tensor.ShapeString(shape0)} outside axis 1.",
                    nameof(input));
            }
            _channels[i] = o.Dim(1);
            total += o.Dim(1);
            outputs[i] = o;
        }
        shape0![1] = total;
        y = LayerHelpers.Ensure(ref _output, shape0);
        for (int i = 0; i < _branches.Length; i++)
        {
            int ci = _channels[i] * inner;
            for (int s = 0; s < n; s++)
                outputs[i].Data.AsSpan(s * ci, ci).CopyTo(y.Data.AsSpan(s * total * inner + offset * inner, ci));
            offset += _channels[i];
        }
        Array.Clear(outputs);
        _ready = training;
        return y;
    }

    /// <summary>Splits dy along axis 1, back-propagates each branch and sums the input gradients (layer-owned buffer).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var shape = _output!.Shape.ToArray();
        int n = shape[0], total = shape[1], inner = gradOutput.Length / Math.Max(1, n * total), offset = 0;
        Tensor? dx = null;
        for (int i = 0; i < _branches.Length; i++)
        {
            shape[1] = _channels[i];
            var gi = LayerHelpers.Ensure(ref _gradSlices[i], shape);
            int ci = _channels[i] * inner;
            for (int s = 0; s < n; s++)
                gradOutput.Data.AsSpan(s * total * inner + offset * inner, ci).CopyTo(gi.Data.AsSpan(s * ci, ci));
            offset += _channels[i];
            var g = _branches[i].Backward(gi);
            if (dx is null)
            {
                dx = LayerHelpers.Ensure(ref _gradInput, g.Shape);
                g.Data.AsSpan().CopyTo(dx.Data);
            }
            else
            {
                if (!g.SameShape(dx))
                    throw new InvalidOperationException($"Concat: branch {i} input gradient {Tensor.ShapeString(g.Shape)} differs from {Tensor.ShapeString(dx.Shape)}.");
                TensorPrimitives.Add(dx.Data, g.Data, dx.Data);
            }
        }
        return dx!;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Concat({string.Join(", ", _branches.Select(b => b.ToString()))})";
}
