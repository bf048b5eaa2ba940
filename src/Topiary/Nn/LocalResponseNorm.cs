// LocalResponseNorm: normalisation across channels (PyTorch nn.LocalResponseNorm; ONNX LRN for odd sizes).
//   input x [N, C, ...] → y same shape
//   s_c = k + (alpha/size) · Σ_{c' = c − ⌊size/2⌋}^{c + ⌊(size−1)/2⌋} x_{c'}²   (channels outside [0, C) count as 0)
//   y_c = x_c · s_c^(−beta)
//   Backward: dx_i = dy_i · s_i^(−beta) − (2·alpha·beta/size) · x_i · Σ_{c: i in window(c)} dy_c · y_c / s_c
// For even sizes PyTorch puts the extra channel before c and ONNX after it; this layer follows PyTorch.
// Per sample the work is vectorised across the spatial positions of a channel plane; samples run in parallel.
// Inference (training = false) runs LrnKernel: one fused pass per plane, keeping nothing for Backward.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Local response normalisation across channels (PyTorch <c>nn.LocalResponseNorm</c>):
/// y = x·(k + alpha/size·Σ_window x²)^(−beta).</summary>
/// <remarks>Creating the layer with a size below 1 throws <see cref="ArgumentOutOfRangeException"/>.</remarks>
public sealed class LocalResponseNorm(int size, float alpha = 1e-4f, float beta = 0.75f, float k = 1f) : Module, IArenaOutput
{
    private Tensor? _output, _gradInput, _denom, _pow;
    private OutputSeat _seat;
    private float[]? _scratch;
    private KeptInput _kept;

    /// <summary>Number of neighbouring channels in the window.</summary>
    public int Size { get; } = Guard.AtLeast(size, 1);

    /// <summary>Multiplicative factor alpha.</summary>
    public float Alpha { get; } = alpha;

    /// <summary>Exponent beta.</summary>
    public float Beta { get; } = beta;

    /// <summary>Additive constant k.</summary>
    public float K { get; } = k;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Normalises [N, C, ...] (rank ≥ 3) across axis 1; output is layer-owned, overwritten by the next call.</summary>
    /// <exception cref="ArgumentException">Input rank below 3.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3) throw LayerHelpers.ShapeError(ToString(), "[N, C, d1, ...] (rank >= 3)", input.Shape);
        int n = input.Dim(0), c = input.Dim(1), s = input.Length / Math.Max(1, n * c);
        var y = _seat.Output(ref _output, training, input.Shape);
        int before = Size / 2, after = (Size - 1) / 2;
        float scale = Alpha / Size;
        if (!training)
        {
            // Inference: one fused pass per plane (LrnKernel), no denominator or power kept for Backward.
            _kept.Keep(input, training: false);
            float[] xi = input.Data, yi = y.Data;
            Threading.For(0, n * c, plane =>
            {
                int i = plane / c, ch = plane % c;
                LrnKernel.Plane(xi.AsSpan(i * c * s, c * s), c, s, ch, before, after, scale, K, Beta, yi.AsSpan(plane * s, s));
            });
            return y;
        }
        var denom = LayerHelpers.Ensure(ref _denom, input.Shape);
        var pow = LayerHelpers.Ensure(ref _pow, input.Shape);
        float[] scratch = LayerHelpers.Ensure(ref _scratch, input.Length);
        float[] x = input.Data, yd = y.Data, dd = denom.Data, pd = pow.Data;
        float negBeta = -Beta;
        TensorPrimitives.Multiply(x.AsSpan(0, n * c * s), x.AsSpan(0, n * c * s), scratch.AsSpan(0, n * c * s)); // x²
        // One plane (sample, channel) per work item: window sum of x², then den^−β as exp(−β·ln den) (vectorised; a
        // scalar Pow per element took most of the layer's time).
        Threading.For(0, n * c, plane =>
        {
            int i = plane / c, ch = plane % c, baseOff = i * c * s;
            var den = dd.AsSpan(plane * s, s);
            den.Clear();
            int lo = Math.Max(0, ch - before), hi = Math.Min(c - 1, ch + after);
            for (int j = lo; j <= hi; j++) TensorPrimitives.Add(den, scratch.AsSpan(baseOff + j * s, s), den);
            TensorPrimitives.Multiply(den, scale, den);
            TensorPrimitives.Add(den, K, den);
            var powPlane = pd.AsSpan(plane * s, s);
            TensorPrimitives.Log(den, powPlane);
            TensorPrimitives.Multiply(powPlane, negBeta, powPlane);
            TensorPrimitives.Exp(powPlane, powPlane);
            TensorPrimitives.Multiply(x.AsSpan(plane * s, s), powPlane, yd.AsSpan(plane * s, s));
        });
        _kept.Keep(input, training);
        return y;
    }

    /// <summary>Returns dx (same shape as the input, layer-owned). No parameters.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var x = _kept.Take(this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, x.Shape);
        int n = x.Dim(0), c = x.Dim(1), s = x.Length / Math.Max(1, n * c);
        float[] xd = x.Data, yd = _output!.Data, dd = _denom!.Data, pd = _pow!.Data, dy = gradOutput.Data, d = dx.Data;
        float[] t = _scratch!;
        int before = Size / 2, after = (Size - 1) / 2;
        float coef = -2f * Alpha * Beta / Size;
        Threading.For(0, n, i =>
        {
            int baseOff = i * c * s;
            var tAll = t.AsSpan(baseOff, c * s);
            // t_c = dy_c · y_c / s_c
            TensorPrimitives.Multiply(dy.AsSpan(baseOff, c * s), yd.AsSpan(baseOff, c * s), tAll);
            TensorPrimitives.Divide(tAll, dd.AsSpan(baseOff, c * s), tAll);
            for (int ch = 0; ch < c; ch++)
            {
                int off = baseOff + ch * s;
                var dst = d.AsSpan(off, s);
                dst.Clear();
                // channel ch lies in window(c) for c in [ch − after, ch + before]
                int lo = Math.Max(0, ch - after), hi = Math.Min(c - 1, ch + before);
                for (int j = lo; j <= hi; j++) TensorPrimitives.Add(dst, tAll.Slice(j * s, s), dst);
                TensorPrimitives.Multiply(dst, xd.AsSpan(off, s), dst);
                TensorPrimitives.Multiply(dst, coef, dst);
                TensorPrimitives.FusedMultiplyAdd(dy.AsSpan(off, s), pd.AsSpan(off, s), dst, dst);
            }
        });
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"LocalResponseNorm(size={Size}, alpha={Alpha}, beta={Beta}, k={K})");
}
