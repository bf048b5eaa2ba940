// SoftmaxKernel: the axis-wise (log-)softmax math shared by Softmax and LogSoftmax. The tensor is viewed as
// [outer, d, inner] with the softmax taken over d:
//   softmax:     y_k = exp(x_k − m) / Σ_j exp(x_j − m),            m = max_j x_j (numerically stable)
//   log-softmax: y_k = x_k − m − log Σ_j exp(x_j − m)
//   backward:    softmax dx_k = y_k (dy_k − Σ_j dy_j y_j);   log-softmax dx_k = dy_k − exp(y_k) Σ_j dy_j
// inner = 1 (the last axis) works on contiguous rows of d; otherwise the d rows of length inner of one outer block
// are combined element-wise, so every step is a TensorPrimitives call over contiguous memory.
namespace Topiary.Nn;

internal static class SoftmaxKernel
{
    /// <summary>The axis in [0, r) for <paramref name="shape"/>, or the standard shape error.</summary>
    public static int ResolveAxis(ReadOnlySpan<int> shape, int axis, string layer)
    {
        int a = axis < 0 ? axis + shape.Length : axis;
        if ((uint)a >= (uint)shape.Length)
            throw LayerHelpers.ShapeError(layer, $"rank > {(axis < 0 ? -axis - 1 : axis)} (axis {axis} out of range)", shape);
        return a;
    }

    /// <summary>The (outer, d, inner) view of <paramref name="shape"/> for a softmax over <paramref name="axis"/>;
    /// with <paramref name="coerceTo2D"/> every dimension from the axis on is one softmax group (inner = 1).</summary>
    public static (int Outer, int D, int Inner) View(ReadOnlySpan<int> shape, int axis, bool coerceTo2D)
    {
        int outer = 1, d = 1, inner = 1;
        for (int a = 0; a < shape.Length; a++)
        {
            if (a < axis) outer *= shape[a];
            else if (a == axis || coerceTo2D) d *= shape[a];
            else inner *= shape[a];
        }
        return (outer, d, inner);
    }

    /// <summary>y = (log-)softmax of x over d; <paramref name="scratch"/> holds at least 2·inner floats when inner &gt; 1.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int outer, int d, int inner, bool log, Span<float> scratch)
    {
        if (d == 0 || inner == 0) return;
        int block = d * inner;
        for (int o = 0; o < outer; o++)
        {
            var xb = x.Slice(o * block, block);
            var yb = y.Slice(o * block, block);
            if (inner == 1)
            {
                float max = TensorPrimitives.Max(xb);
                TensorPrimitives.Subtract(xb, max, yb);
                TensorPrimitives.Exp(yb, yb);
                float sum = TensorPrimitives.Sum(yb);
                if (log)
                {
                    // (x − m) − log Σ, not x − (m + log Σ): for large |x| the sum m + log Σ would round away digits.
                    TensorPrimitives.Subtract(xb, max, yb);
                    TensorPrimitives.Subtract(yb, MathF.Log(sum), yb);
                }
                else TensorPrimitives.Multiply(yb, 1f / sum, yb);
                continue;
            }
            var m = scratch[..inner];
            var s = scratch.Slice(inner, inner);
            xb[..inner].CopyTo(m);
            for (int k = 1; k < d; k++) TensorPrimitives.Max(m, xb.Slice(k * inner, inner), m);
            s.Clear();
            for (int k = 0; k < d; k++)
            {
                var yk = yb.Slice(k * inner, inner);
                TensorPrimitives.Subtract(xb.Slice(k * inner, inner), m, yk);
                TensorPrimitives.Exp(yk, yk);
                TensorPrimitives.Add(s, yk, s);
            }
            if (log)
            {
                TensorPrimitives.Log(s, s);
                for (int k = 0; k < d; k++)
                {
                    var yk = yb.Slice(k * inner, inner);
                    TensorPrimitives.Subtract(xb.Slice(k * inner, inner), m, yk);
                    TensorPrimitives.Subtract(yk, s, yk);
                }
            }
            else
            {
                TensorPrimitives.Reciprocal(s, s);
                for (int k = 0; k < d; k++) TensorPrimitives.Multiply(yb.Slice(k * inner, inner), s, yb.Slice(k * inner, inner));
            }
        }
    }

    /// <summary>dx from dy and the forward output y; <paramref name="scratch"/> holds at least inner floats when inner &gt; 1.</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int d, int inner, bool log, Span<float> scratch)
    {
        if (d == 0 || inner == 0) return;
        int block = d * inner;
        for (int o = 0; o < outer; o++)
        {
            var yb = y.Slice(o * block, block);
            var gb = dy.Slice(o * block, block);
            var db = dx.Slice(o * block, block);
            if (inner == 1)
            {
                if (log)
                {
                    float total = TensorPrimitives.Sum(gb);
                    TensorPrimitives.Exp(yb, db);
                    TensorPrimitives.MultiplyAdd(db, -total, gb, db);   // dy − Σdy·softmax
                }
                else
                {
                    float dot = TensorPrimitives.Dot(gb, yb);
                    TensorPrimitives.Subtract(gb, dot, db);
                    TensorPrimitives.Multiply(db, yb, db);
                }
                continue;
            }
            var s = scratch[..inner];
            s.Clear();
            for (int k = 0; k < d; k++)
            {
                if (log) TensorPrimitives.Add(s, gb.Slice(k * inner, inner), s);
                else TensorPrimitives.FusedMultiplyAdd(gb.Slice(k * inner, inner), yb.Slice(k * inner, inner), s, s);
            }
            for (int k = 0; k < d; k++)
            {
                var dk = db.Slice(k * inner, inner);
                var gk = gb.Slice(k * inner, inner);
                var yk = yb.Slice(k * inner, inner);
                if (log)
                {
                    TensorPrimitives.Exp(yk, dk);
                    TensorPrimitives.Multiply(dk, s, dk);
                    TensorPrimitives.Subtract(gk, dk, dk);
                }
                else
                {
                    TensorPrimitives.Subtract(gk, s, dk);
                    TensorPrimitives.Multiply(dk, yk, dk);
                }
            }
        }
    }
}
