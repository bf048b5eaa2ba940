// OutputReferenceStream: the ordered byte addresses of the output accumulators a sparse convolution updates.
// Layer: LayerShape (C inputs, M filters, R×S kernel, stride U, padding P, G groups, H×W input, E×F output);
// weight mask row-major [M, C/G, R, S]; activation mask row-major [C, H, W]. Filter m of group
// γ = ⌊m/(M/G)⌋ reads input channel c = γ·(C/G) + k for its local channel k.
// Loop order (weights outer, activations inner):
//   Fine:   for m, k, r, s with W[m,k,r,s] ≠ 0:  for (y, x) with a[c,y,x] ≠ 0 (row-major):  emit out(m, y, x, r, s)
//   Vector: for m, k, r with any W[m,k,r,·] ≠ 0: for (y, x) with a[c,y,x] ≠ 0: for s ascending with W ≠ 0: emit
// out(m,y,x,r,s) exists when y + P − r and x + P − s are non-negative multiples of U with quotients oy < E,
// ox < F; its address is 4·((m·E + oy)·F + ox) (one 4-byte accumulator per output, filters back to back).
// Products whose output falls outside (the padding border) are not emitted. Filter sampling: only filters
// m ≡ 0 (mod filterStride) are walked. Each emitted address is one read-modify-write reference.
namespace Topiary.Hardware.MemoryReferences;

/// <summary>Receives the addresses of an output reference stream.</summary>
public interface IAddressSink
{
    /// <summary>One reference to the accumulator at byte <paramref name="address"/>.</summary>
    void Access(long address);
}

/// <summary>Generates the output reference stream of a sparse convolution.</summary>
public static class OutputReferenceStream
{
    /// <summary>Feeds every output address, in dataflow order, to <paramref name="sink"/>.</summary>
    /// <exception cref="ArgumentException">Mask lengths do not match the layer, or the layer is not a convolution.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="filterStride"/> below 1.</exception>
    public static void Generate<TSink>(Models.Shapes.LayerShape layer, ReadOnlySpan<bool> weightMask, ReadOnlySpan<bool> activationMask,
        SparseDataflow dataflow, ref TSink sink, int filterStride = 1) where TSink : struct, IAddressSink
    {
        Check(layer, weightMask, activationMask, filterStride);
        int cg = layer.C / layer.Groups, mg = layer.M / layer.Groups, R = layer.R, S = layer.S;
        int P = layer.Padding, U = layer.Stride, E = layer.E, F = layer.F;
        // Non-zero activations per input channel as (y + P, x + P), row-major.
        var ys = new int[layer.C][];
        var xs = new int[layer.C][];
        for (int c = 0; c < layer.C; c++)
        {
            var ly = new List<int>();
            var lx = new List<int>();
            for (int y = 0; y < layer.H; y++)
                for (int x = 0; x < layer.W; x++)
                    if (activationMask[(c * layer.H + y) * layer.W + x]) { ly.Add(y + P); lx.Add(x + P); }
            ys[c] = ly.ToArray();
            xs[c] = lx.ToArray();
        }
        for (int m = 0; m < layer.M; m += filterStride)
        {
            long plane = (long)m * E * F;
            for (int k = 0; k < cg; k++)
            {
                int c = m / mg * cg + k;
                int[] ay = ys[c], ax = xs[c];
                for (int r = 0; r < R; r++)
                {
                    int row = ((m * cg + k) * R + r) * S;
                    var w = weightMask.Slice(row, S);
                    if (dataflow == SparseDataflow.Fine)
                    {
                        for (int s = 0; s < S; s++)
                        {
                            if (!w[s]) continue;
                            if (U == 1)
                            {
                                // Stride 1: no divisions; outputs are (y + P − r, x + P − s).
                                for (int i = 0; i < ay.Length; i++)
                                {
                                    int oy = ay[i] - r, ox = ax[i] - s;
                                    if ((uint)oy < (uint)E && (uint)ox < (uint)F) sink.Access(4 * (plane + (long)oy * F + ox));
                                }
                                continue;
                            }
                            for (int i = 0; i < ay.Length; i++)
                            {
                                int ny = ay[i] - r, nx = ax[i] - s;
                                if (ny < 0 || nx < 0) continue;
                                int oy = ny / U, ox = nx / U;
                                if (oy >= E || ox >= F || oy * U != ny || ox * U != nx) continue;
                                sink.Access(4 * (plane + (long)oy * F + ox));
                            }
                        }
                    }
                    else
                    {
                        if (!w.Contains(true)) continue;
                        for (int i = 0; i < ay.Length; i++)
                        {
                            int ny = ay[i] - r;
                            if (ny < 0) continue;
                            int oy = ny / U;
                            if (oy >= E || oy * U != ny) continue;
                            long rowBase = plane + (long)oy * F;
                            for (int s = 0; s < S; s++)
                            {
                                if (!w[s]) continue;
                                int nx = ax[i] - s;
                                if (nx < 0) continue;
                                int ox = nx / U;
                                if (ox >= F || ox * U != nx) continue;
                                sink.Access(4 * (rowBase + ox));
                            }
                        }
                    }
                }
            }
        }
    }

    internal static void Check(Models.Shapes.LayerShape layer, ReadOnlySpan<bool> weightMask, ReadOnlySpan<bool> activationMask, int filterStride)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Kind != Models.Shapes.LayerKind.Conv) throw new ArgumentException($"Layer '{layer.Name}' is not a convolution.", nameof(layer));
        if (weightMask.Length != layer.Weights)
            throw new ArgumentException($"Layer '{layer.Name}': weight mask of {weightMask.Length} for {layer.Weights} weights.", nameof(weightMask));
        if (activationMask.Length != layer.Inputs)
            throw new ArgumentException($"Layer '{layer.Name}': activation mask of {activationMask.Length} for {layer.Inputs} inputs.", nameof(activationMask));
        ArgumentOutOfRangeException.ThrowIfLessThan(filterStride, 1);
    }
}
