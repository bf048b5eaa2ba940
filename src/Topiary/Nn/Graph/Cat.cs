// Cat: concatenation of k ≥ 1 tensors along one axis (ONNX Concat, torch.cat).
//   inputs x_i [d0, ..., a_i, ..., dr]  (equal outside `axis`)      output [d0, ..., Σ a_i, ..., dr]
//   Backward: dy is cut along `axis` back into the input shapes.
// A negative axis counts from the end of the inputs' rank. Output and gradient buffers are op-owned.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Concatenates its inputs along <see cref="Axis"/>.</summary>
public sealed class Cat : GraphOp, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;
    private Tensor?[] _grads = [];
    private int[][] _shapes = [];
    private bool _ready;

    /// <summary>Creates the op.</summary>
    /// <param name="axis">The axis (negative: from the end).</param>
    public Cat(int axis) => Axis = axis;

    /// <summary>The concatenation axis as given (may be negative).</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Concatenates (op-owned buffer).</summary>
    /// <exception cref="ArgumentException">No inputs, the axis is out of range, or the shapes differ outside the axis.</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException($"{this}: needs at least one input.", nameof(inputs));
        CheckCount(inputs, inputs.Count, "inputs");
        _ready = false;
        var first = inputs[0];
        int axis = Normalise(Axis, first.Rank);
        var shape = first.Shape.ToArray();
        shape[axis] = 0;
        foreach (var x in inputs)
        {
            bool fits = x.Rank == first.Rank;
            for (int d = 0; fits && d < x.Rank; d++) fits = d == axis || x.Dim(d) == first.Dim(d);
            if (!fits)
                throw new ArgumentException(
                    $"{this}: input shapes {string.Join(", ", inputs.Select(t => Tensor.ShapeString(t.Shape)))} differ outside axis {axis}.", nameof(inputs));
            shape[axis] += x.Dim(axis);
        }
        var y = _seat.Output(ref _output, training, shape);
        int outer = Outer(shape, axis), rowOut = y.Length / Math.Max(1, outer), offset = 0;
        if (_shapes.Length != inputs.Count)
        {
            _shapes = new int[inputs.Count][];
            _grads = new Tensor?[inputs.Count];
        }
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i];
            int row = x.Length / Math.Max(1, outer);
            for (int o = 0; o < outer; o++)
                x.Data.AsSpan(o * row, row).CopyTo(y.Data.AsSpan(o * rowOut + offset, row));
            offset += row;
            _shapes[i] = x.Shape.ToArray();
        }
        _ready = training;
        return [y];
    }

    /// <summary>Cuts dy back into the input shapes (op-owned buffers).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Not one gradient of the output shape.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs)
    {
        var dy = BeginSingleBackward(ref _ready, gradOutputs, _output!);
        int axis = Normalise(Axis, dy.Rank);
        int outer = Outer(dy.Shape, axis), rowOut = dy.Length / Math.Max(1, outer), offset = 0;
        var result = new Tensor[_shapes.Length];
        for (int i = 0; i < _shapes.Length; i++)
        {
            var g = LayerHelpers.Ensure(ref _grads[i], _shapes[i]);
            int row = g.Length / Math.Max(1, outer);
            for (int o = 0; o < outer; o++)
                dy.Data.AsSpan(o * rowOut + offset, row).CopyTo(g.Data.AsSpan(o * row, row));
            offset += row;
            result[i] = g;
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Cat(axis={Axis})";

    internal static int Outer(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        return outer;
    }

    internal static int Normalise(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"axis {axis} is out of range for rank {rank}.", nameof(axis));
        return a;
    }
}
