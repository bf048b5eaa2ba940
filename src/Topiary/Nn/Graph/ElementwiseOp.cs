// ElementwiseOp: y = a ∘ b for ∘ ∈ {+, −, ×, ÷} with NumPy/ONNX broadcasting (ONNX Add, Sub, Mul, Div; torch.add ...).
//   Forward:  y[i] = a[i_a] ∘ b[i_b]                          (shape: the broadcast of the two shapes)
//   Backward: da = Σ_broadcast dy·∂y/∂a,  db = Σ_broadcast dy·∂y/∂b, summed over the axes each operand was broadcast on:
//             add: (dy, dy)   sub: (dy, −dy)   mul: (dy·b, dy·a)   div: (dy/b, −dy·y/b)
// Rows of contiguous output (Broadcast) are processed with TensorPrimitives; row order is fixed, so sums are deterministic.
// Output and gradient buffers are op-owned. Same-shape Add returns dy itself as both gradients.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The arithmetic of an <see cref="ElementwiseOp"/>.</summary>
public enum ElementwiseKind
{
    /// <summary>a + b (ONNX Add).</summary>
    Add,

    /// <summary>a − b (ONNX Sub).</summary>
    Sub,

    /// <summary>a × b (ONNX Mul).</summary>
    Mul,

    /// <summary>a ÷ b (ONNX Div).</summary>
    Div,
}

/// <summary>Binary element-wise arithmetic with broadcasting (two inputs, one output).</summary>
public sealed class ElementwiseOp(ElementwiseKind kind) : GraphOp, IArenaOutput
{
    private Tensor? _output, _gradA, _gradB;
    private OutputSeat _seat;
    private Tensor? _a, _b;
    private float[]? _row;
    private Broadcast? _plan;
    private int[]? _shapeA, _shapeB;
    private bool _ready;

    /// <summary>The operation.</summary>
    public ElementwiseKind Kind { get; } = kind;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>y = a ∘ b with broadcasting (op-owned buffer).</summary>
    /// <exception cref="ArgumentException">Not two inputs, or shapes that do not broadcast.</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        CheckCount(inputs, 2, "inputs");
        var a = inputs[0];
        var b = inputs[1];
        _ready = false;
        if (_plan is null || !a.Shape.SequenceEqual(_shapeA) || !b.Shape.SequenceEqual(_shapeB))
        {
            try
            {
                _plan = Broadcast.Of(a.Shape, b.Shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{this}: {e.Message}", nameof(inputs), e);
            }
            _shapeA = a.Shape.ToArray();
            _shapeB = b.Shape.ToArray();
        }
        var plan = _plan;
        var y = _seat.Output(ref _output, training, plan.OutShape);
        int inner = plan.Inner;
        for (int r = 0; r < plan.Rows; r++)
        {
            var (oa, ob) = plan.RowOffsets(r);
            var dst = y.Data.AsSpan(r * inner, inner);
            Apply(Row(a, oa, inner, plan.InnerStrideA), Row(b, ob, inner, plan.InnerStrideB), dst);
        }
        _a = training ? a : null;
        _b = training ? b : null;
        _ready = training;
        return [y];
    }

    /// <summary>Gradients of both operands, summed over their broadcast axes (op-owned buffers).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Not one gradient of the output shape.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs)
    {
        var dy = BeginSingleBackward(ref _ready, gradOutputs, _output!);
        var a = _a!;
        var b = _b!;
        _a = _b = null;
        var plan = _plan!;
        if (Kind == ElementwiseKind.Add && a.SameShape(b)) return [dy, dy];

        var da = LayerHelpers.Ensure(ref _gradA, a.Shape);
        var db = LayerHelpers.Ensure(ref _gradB, b.Shape);
        da.Clear();
        db.Clear();
        int inner = plan.Inner;
        var t = LayerHelpers.Ensure(ref _row, inner).AsSpan();
        for (int r = 0; r < plan.Rows; r++)
        {
            var (oa, ob) = plan.RowOffsets(r);
            var g = dy.Data.AsSpan(r * inner, inner);
            var ra = Row(a, oa, inner, plan.InnerStrideA);
            var rb = Row(b, ob, inner, plan.InnerStrideB);
            // ∂y/∂a
            switch (Kind)
            {
                case ElementwiseKind.Add or ElementwiseKind.Sub: g.CopyTo(t); break;
                case ElementwiseKind.Mul: Times(g, rb, t); break;
                default: Over(g, rb, t); break;
            }
            AddInto(t, da.Data.AsSpan(oa), plan.InnerStrideA);
            // ∂y/∂b
            switch (Kind)
            {
                case ElementwiseKind.Add: g.CopyTo(t); break;
                case ElementwiseKind.Sub: TensorPrimitives.Negate(g, t); break;
                case ElementwiseKind.Mul: Times(g, ra, t); break;
                default:
                    TensorPrimitives.Multiply(g, _output!.Data.AsSpan(r * inner, inner), t);
                    Over(t, rb, t);
                    TensorPrimitives.Negate(t, t);
                    break;
            }
            AddInto(t, db.Data.AsSpan(ob), plan.InnerStrideB);
        }
        return [da, db];
    }

    /// <inheritdoc/>
    public override string ToString() => $"ElementwiseOp({Kind})";

    // A row operand: `inner` values, or one value repeated (stride 0).
    private readonly ref struct Operand(ReadOnlySpan<float> values, bool scalar)
    {
        public ReadOnlySpan<float> Values { get; } = values;

        public bool Scalar { get; } = scalar;
    }

    private static Operand Row(Tensor t, int offset, int inner, int stride) =>
        stride == 0 ? new(t.Data.AsSpan(offset, 1), true) : new(t.Data.AsSpan(offset, inner), false);

    private void Apply(Operand a, Operand b, Span<float> dst)
    {
        switch (Kind)
        {
            case ElementwiseKind.Add:
                if (a.Scalar && b.Scalar) dst.Fill(a.Values[0] + b.Values[0]);
                else if (a.Scalar) TensorPrimitives.Add(b.Values, a.Values[0], dst);
                else if (b.Scalar) TensorPrimitives.Add(a.Values, b.Values[0], dst);
                else TensorPrimitives.Add(a.Values, b.Values, dst);
                break;
            case ElementwiseKind.Sub:
                if (a.Scalar && b.Scalar) dst.Fill(a.Values[0] - b.Values[0]);
                else if (a.Scalar) TensorPrimitives.Subtract(a.Values[0], b.Values, dst);
                else if (b.Scalar) TensorPrimitives.Subtract(a.Values, b.Values[0], dst);
                else TensorPrimitives.Subtract(a.Values, b.Values, dst);
                break;
            case ElementwiseKind.Mul:
                Times(a, b, dst);
                break;
            default:
                if (a.Scalar && b.Scalar) dst.Fill(a.Values[0] / b.Values[0]);
                else if (a.Scalar) TensorPrimitives.Divide(a.Values[0], b.Values, dst);
                else if (b.Scalar) TensorPrimitives.Divide(a.Values, b.Values[0], dst);
                else TensorPrimitives.Divide(a.Values, b.Values, dst);
                break;
        }
    }

    private static void Times(Operand a, Operand b, Span<float> dst)
    {
        if (a.Scalar && b.Scalar) dst.Fill(a.Values[0] * b.Values[0]);
        else if (a.Scalar) TensorPrimitives.Multiply(b.Values, a.Values[0], dst);
        else if (b.Scalar) TensorPrimitives.Multiply(a.Values, b.Values[0], dst);
        else TensorPrimitives.Multiply(a.Values, b.Values, dst);
    }

    private static void Times(ReadOnlySpan<float> g, Operand b, Span<float> dst)
    {
        if (b.Scalar) TensorPrimitives.Multiply(g, b.Values[0], dst);
        else TensorPrimitives.Multiply(g, b.Values, dst);
    }

    private static void Over(ReadOnlySpan<float> g, Operand b, Span<float> dst)
    {
        if (b.Scalar) TensorPrimitives.Divide(g, b.Values[0], dst);
        else TensorPrimitives.Divide(g, b.Values, dst);
    }

    private static void AddInto(ReadOnlySpan<float> t, Span<float> target, int stride)
    {
        if (stride == 0) target[0] += TensorPrimitives.Sum(t);
        else TensorPrimitives.Add(target[..t.Length], t, target[..t.Length]);
    }
}
