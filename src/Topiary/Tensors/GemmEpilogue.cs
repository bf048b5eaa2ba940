// GemmEpilogue: a layer's bias, residual and clamp applied by the GEMM driver tile by tile (initial values per B
// panel), while that part of C is in cache, instead of in passes over the whole output before and after the product (a convolution's output is often
// larger than L2: the passes cost a round trip through memory each, and ran on one thread).
//   before the first K block:  C[i, j] = R[i, j] + bias[i]   (or bias[i], or R[i, j]; the product then accumulates, β = 1)
// (bias[j] instead of bias[i] when the bias is per column: a channels-last convolution, whose channels are C's columns)
//   after the last K block:    C[i, j] = min(max(C[i, j], Min), Max)
// With a single K block the initial value is added after the product instead (C = acc with β = 0, then
// C += R + bias): one rounded addition of the same two numbers, so the same bits, and C is not read before the kernel
// (a MobileNet 1×1 convolution with K = 16 spent as long writing and re-reading C as multiplying).
// With AddsLast the initial value is added after the last K block whatever their number: C = (S0 + S1 + ...) + init,
// the order of a GEMM followed by the layer's own bias pass (a dense plan layer's, DenseWeight).
// Per element these are the operations the layer did in its own passes (TensorPrimitives.Add of the residual and the
// bias, then Max, then Min), in the same order, so results are bitwise unchanged.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Per-row (or per-column) bias, residual and clamp the GEMM driver applies to C (pointers must stay pinned for
/// the call). The default value does nothing.</summary>
internal readonly unsafe struct GemmEpilogue
{
    /// <summary>An epilogue: <paramref name="bias"/> one value per row of C (per column with
    /// <paramref name="biasPerColumn"/>) or null, <paramref name="residual"/> a matrix the shape of C with leading
    /// dimension <paramref name="ldResidual"/> (or null), then the clamp [min, max] (−∞, +∞: none); with
    /// <paramref name="addLast"/> residual + bias are added after the whole product (to the sum of all K blocks) instead of
    /// being its starting value, and the product honours beta.</summary>
    public GemmEpilogue(float* bias, float* residual, nint ldResidual, float min, float max, bool biasPerColumn = false, bool addLast = false)
    {
        AddsLast = addLast;
        Bias = bias;
        BiasPerColumn = biasPerColumn;
        Residual = residual;
        LdResidual = ldResidual;
        Min = min;
        Max = max;
        Clamps = min != float.NegativeInfinity || max != float.PositiveInfinity;
        Bounds = new NativeClamp(min, max);
    }

    /// <summary>One value per row of C (per column when <see cref="BiasPerColumn"/>), or null.</summary>
    public float* Bias { get; }

    /// <summary>True when <see cref="Bias"/> holds one value per column of C.</summary>
    public bool BiasPerColumn { get; }

    /// <summary>A matrix the shape of C (leading dimension <see cref="LdResidual"/>), or null.</summary>
    public float* Residual { get; }

    /// <summary>Leading dimension of <see cref="Residual"/>.</summary>
    public nint LdResidual { get; }

    /// <summary>The clamp's bounds.</summary>
    public float Min { get; }

    /// <summary>The clamp's upper bound.</summary>
    public float Max { get; }

    /// <summary>True when the result is clamped.</summary>
    public bool Clamps { get; }

    /// <summary>The clamp's bounds for its three-instruction form (<see cref="NativeClamp"/>).</summary>
    public NativeClamp Bounds { get; }

    /// <summary>True when the bias and residual are added after the whole product rather than first.</summary>
    public bool AddsLast { get; }

    /// <summary>True when C gets the bias and residual: first (the product then accumulates onto them), or last with
    /// <see cref="AddsLast"/>.</summary>
    public bool Initialises => Bias != null || Residual != null;

    /// <summary>True when C starts from the bias and residual, so the product accumulates (beta is 1).</summary>
    public bool StartsFromInit => Initialises && !AddsLast;

    /// <summary>C[i0.., j0..] (rows × cols, row i of C at c + (i − i0)·ldc) = residual + bias.</summary>
    public void Initialise(int i0, int j0, int rows, int cols, float* c, nint ldc) => WriteInitial(i0, j0, rows, cols, c, ldc, add: false);

    /// <summary>
    /// After the last K block, on rows × cols of C at <paramref name="c"/> (C[i0.., j0..]): with
    /// <paramref name="addInitial"/>, C += residual + bias (the product ran with β = 0: a single K block), then the clamp.
    /// </summary>
    public void Finish(int i0, int j0, int rows, int cols, float* c, nint ldc, bool addInitial)
    {
        if (addInitial) WriteInitial(i0, j0, rows, cols, c, ldc, add: true);
        if (Clamps) ApplyClamp(rows, cols, c, ldc);
    }

    // C = init or C += init, init = residual + bias formed first (one rounded addition each), with inline vector stores
    // (called per panel: no per-row library call).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteInitial(int i0, int j0, int rows, int cols, float* c, nint ldc, bool add)
    {
        float* columns = BiasPerColumn ? Bias + j0 : null;
        for (int r = 0; r < rows; r++)
        {
            float b = Bias == null || BiasPerColumn ? 0f : Bias[i0 + r];
            float* dst = c + r * ldc;
            float* src = Residual == null ? null : Residual + (i0 + r) * LdResidual + j0;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vb = Vector512.Create(b);
                for (; j + 16 <= cols; j += 16)
                {
                    var bj = columns == null ? vb : Vector512.Load(columns + j);
                    var init = src == null ? bj : Vector512.Load(src + j) + bj;
                    Vector512.Store(add ? Vector512.Load(dst + j) + init : init, dst + j);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var vb = Vector256.Create(b);
                for (; j + 8 <= cols; j += 8)
                {
                    var bj = columns == null ? vb : Vector256.Load(columns + j);
                    var init = src == null ? bj : Vector256.Load(src + j) + bj;
                    Vector256.Store(add ? Vector256.Load(dst + j) + init : init, dst + j);
                }
            }
            for (; j < cols; j++)
            {
                float bj = columns == null ? b : columns[j];
                float init = src == null ? bj : src[j] + bj;
                dst[j] = add ? dst[j] + init : init;
            }
        }
    }

    /// <summary>Clamps rows × cols of C at <paramref name="c"/> to [Min, Max] (Max first, then Min, as the layer did).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyClamp(int rows, int cols, float* c, nint ldc)
    {
        float lo = Min, hi = Max;
        for (int r = 0; r < rows; r++)
        {
            float* dst = c + r * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vlo = Vector512.Create(lo);
                var vhi = Vector512.Create(hi);
                if (Bounds.Applies)
                {
                    var fix = Vector512.Create(Bounds.Fix);
                    for (; j + 16 <= cols; j += 16) Vector512.Store(NativeClamp.Apply(Vector512.Load(dst + j), vlo, vhi, fix), dst + j);
                }
                for (; j + 16 <= cols; j += 16) Vector512.Store(Vector512.Min(Vector512.Max(Vector512.Load(dst + j), vlo), vhi), dst + j);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var vlo = Vector256.Create(lo);
                var vhi = Vector256.Create(hi);
                if (Bounds.Applies)
                {
                    var fix = Vector256.Create(Bounds.Fix);
                    for (; j + 8 <= cols; j += 8) Vector256.Store(NativeClamp.Apply(Vector256.Load(dst + j), vlo, vhi, fix), dst + j);
                }
                for (; j + 8 <= cols; j += 8) Vector256.Store(Vector256.Min(Vector256.Max(Vector256.Load(dst + j), vlo), vhi), dst + j);
            }
            for (; j < cols; j++) dst[j] = ClampOne(dst[j], lo, hi);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ClampOne(float v, float lo, float hi) => MathF.Min(MathF.Max(v, lo), hi);
}
