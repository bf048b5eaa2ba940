// Split: cuts one tensor along an axis into parts of the given sizes (ONNX Split, torch.split).
//   input x [d0, ..., Σ s_i, ..., dr]      outputs y_i [d0, ..., s_i, ..., dr]
//   Backward: the output gradients are concatenated back (an unused output's gradient is zero).
// A negative axis counts from the end. Output and gradient buffers are op-owned.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Splits its input along <see cref="Axis"/> into parts of <see cref="Sizes"/>.</summary>
public sealed class Split : GraphOp
{
    private readonly int[] _sizes;
    private Tensor?[] _outputs;
    private Tensor? _grad;
    private bool _ready;

    /// <summary>Creates the op.</summary>
    /// <param name="axis">The axis (negative: from the end).</param>
    /// <param name="sizes">Size of each part along the axis (at least one part; sizes ≥ 0).</param>
    /// <exception cref="ArgumentException">No sizes or a negative size.</exception>
    public Split(int axis, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length == 0) throw new ArgumentException("Split needs at least one part.", nameof(sizes));
        if (sizes.Any(s => s < 0)) throw new ArgumentException($"Split sizes [{string.Join(", ", sizes)}] must not be negative.", nameof(sizes));
        Axis = axis;
        _sizes = (int[])sizes.Clone();
        _outputs = new Tensor?[sizes.Length];
    }

    /// <summary>The axis as given (may be negative).</summary>
    public int Axis { get; }

    /// <summary>Size of each part along the axis.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <inheritdoc/>
    public override int OutputCount => _sizes.Length;

    /// <summary>Changes the part sizes (channel pruning); the number of parts stays.</summary>
    internal void SetSizes(int[] sizes)
    {
        if (sizes.Length != _sizes.Length || sizes.Any(s => s < 0))
            throw new ArgumentException($"{this}: new sizes [{string.Join(", ", sizes)}] must be {_sizes.Length} non-negative parts.", nameof(sizes));
        sizes.CopyTo(_sizes, 0);
    }

    /// <summary>Cuts the input (op-owned buffers).</summary>
    /// <exception cref="ArgumentException">Not one input, axis out of range, or the sizes do not add up to the axis length.</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        CheckCount(inputs, 1, "inputs");
        var x = inputs[0];
        _ready = false;
        int axis = Cat.Normalise(Axis, x.Rank);
        if (_sizes.Sum() != x.Dim(axis))
            throw new ArgumentException($"{this}: sizes add up to {_sizes.Sum()} but input {Tensor.ShapeString(x.Shape)} has {x.Dim(axis)} along axis {axis}.", nameof(inputs));
        int outer = Cat.Outer(x.Shape, axis), rowIn = x.Length / Math.Max(1, outer), offset = 0;
        var result = new Tensor[_sizes.Length];
        var shape = x.Shape.ToArray();
        for (int i = 0; i < _sizes.Length; i++)
        {
            shape[axis] = _sizes[i];
            var y = LayerHelpers.Ensure(ref _outputs[i], shape);
            int row = y.Length / Math.Max(1, outer);
            for (int o = 0; o < outer; o++)
                x.Data.AsSpan(o * rowIn + offset, row).CopyTo(y.Data.AsSpan(o * row, row));
            offset += row;
            result[i] = y;
        }
        if (training) _grad = LayerHelpers.Ensure(ref _grad, x.Shape);
        _ready = training;
        return result;
    }

    /// <summary>Concatenates the output gradients into the input gradient (op-owned buffer).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Wrong number or shape of gradients.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs)
    {
        LayerHelpers.RequireForward(_ready, this);
        CheckCount(gradOutputs, _sizes.Length, "output gradients");
        _ready = false;
        var dx = _grad!;
        int axis = Cat.Normalise(Axis, dx.Rank);
        int outer = Cat.Outer(dx.Shape, axis), rowIn = dx.Length / Math.Max(1, outer), offset = 0;
        for (int i = 0; i < _sizes.Length; i++)
        {
            var g = gradOutputs[i];
            LayerHelpers.CheckGradShape(this, g, _outputs[i]!);
            int row = g.Length / Math.Max(1, outer);
            for (int o = 0; o < outer; o++)
                g.Data.AsSpan(o * row, row).CopyTo(dx.Data.AsSpan(o * rowIn + offset, row));
            offset += row;
        }
        return [dx];
    }

    /// <inheritdoc/>
    public override string ToString() => $"Split(axis={Axis}, sizes=[{string.Join(", ", _sizes)}])";
}
