// LrnKernel: local response normalisation at inference in one pass (LocalResponseNorm's training path keeps the
// denominator and its power for Backward, in a dozen whole-tensor passes; inference needs neither). For a plane
// (sample, channel c) and 16 positions at a time:
//   acc = Σ_{c' in window(c)} x_{c'}²         (FMA, channels in increasing order)
//   d   = k + (alpha/size) · acc
//   y_c = x_c · d^(−beta)                     β = 0.75: 1 / (√d · √√d) (three correctly rounded ops); else exp(−β · ln d)
// The scalar loop (tails, and machines without Vector512/256) does the same operations in the same order, with the
// same β = 0.75 form; Exp/Log of the general β may differ from MathF's in the last bits, as TensorPrimitives' do.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Inference-only LRN across channels for one plane (oracle: the layer's training path).</summary>
internal static class LrnKernel
{
    /// <summary>
    /// y plane <paramref name="ch"/> of one sample: <paramref name="x"/> holds the sample's C planes of
    /// <paramref name="s"/> positions; the window is channels [ch − before, ch + after] ∩ [0, C).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Plane(ReadOnlySpan<float> x, int channels, int s, int ch, int before, int after, float scale, float k, float beta,
        Span<float> y, bool vectorise = true)
    {
        int lo = Math.Max(0, ch - before), hi = Math.Min(channels - 1, ch + after);
        ref float x0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        int p = 0;
        if (vectorise && Vector512.IsHardwareAccelerated)
            for (; p + 16 <= s; p += 16) Vector512.StoreUnsafe(Chunk512(ref x0, s, ch, lo, hi, p, scale, k, beta), ref y[p]);
        else if (vectorise && Vector256.IsHardwareAccelerated)
            for (; p + 8 <= s; p += 8) Vector256.StoreUnsafe(Chunk256(ref x0, s, ch, lo, hi, p, scale, k, beta), ref y[p]);
        for (; p < s; p++)
        {
            float acc = 0f;
            for (int j = lo; j <= hi; j++)
            {
                float v = Unsafe.Add(ref x0, j * s + p);
                acc = MathF.FusedMultiplyAdd(v, v, acc);
            }
            float d = k + scale * acc;
            float power = beta == 0.75f ? 1f / (MathF.Sqrt(d) * MathF.Sqrt(MathF.Sqrt(d))) : MathF.Exp(-beta * MathF.Log(d));
            y[p] = Unsafe.Add(ref x0, ch * s + p) * power;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> Chunk512(ref float x0, int s, int ch, int lo, int hi, int p, float scale, float k, float beta)
    {
        var acc = Vector512<float>.Zero;
        for (int j = lo; j <= hi; j++)
        {
            var v = Vector512.LoadUnsafe(ref x0, (nuint)(j * s + p));
            acc = Vector512.FusedMultiplyAdd(v, v, acc);
        }
        var d = Vector512.Create(k) + Vector512.Create(scale) * acc;
        Vector512<float> power;
        if (beta == 0.75f)
        {
            var r = Vector512.Sqrt(d);
            power = Vector512<float>.One / (r * Vector512.Sqrt(r));
        }
        else
        {
            power = Vector512.Exp(Vector512.Create(-beta) * Vector512.Log(d));
        }
        return Vector512.LoadUnsafe(ref x0, (nuint)(ch * s + p)) * power;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Chunk256(ref float x0, int s, int ch, int lo, int hi, int p, float scale, float k, float beta)
    {
        var acc = Vector256<float>.Zero;
        for (int j = lo; j <= hi; j++)
        {
            var v = Vector256.LoadUnsafe(ref x0, (nuint)(j * s + p));
            acc = Vector256.FusedMultiplyAdd(v, v, acc);
        }
        var d = Vector256.Create(k) + Vector256.Create(scale) * acc;
        Vector256<float> power;
        if (beta == 0.75f)
        {
            var r = Vector256.Sqrt(d);
            power = Vector256<float>.One / (r * Vector256.Sqrt(r));
        }
        else
        {
            power = Vector256.Exp(Vector256.Create(-beta) * Vector256.Log(d));
        }
        return Vector256.LoadUnsafe(ref x0, (nuint)(ch * s + p)) * power;
    }
}
