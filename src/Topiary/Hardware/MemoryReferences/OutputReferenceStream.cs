// OutputReferenceStream: the ordered requests to the output accumulators a sparse convolution updates.
// Layer: LayerShape (C inputs, M filters, R×S kernel, stride U, padding P, G groups, H×W input, E×F output);
// weight mask row-major [M, C/G, R, S]; activation mask row-major [C, H, W]. Filter m of group
// γ = ⌊m/(M/G)⌋ reads input channel c = γ·(C/G) + k for its local channel k.
// Loop order (weights outer, activations inner):
//   Fine:   for m, k, r, s with W[m,k,r,s] ≠ 0:  for (y, x) with a[c,y,x] ≠ 0 (row-major):  product out(m, y, x, r, s)
//   Vector: for m, k, r with any W[m,k,r,·] ≠ 0: for (y, x) with a[c,y,x] ≠ 0: for s ascending with W ≠ 0: product
// out(m,y,x,r,s) exists when y + P − r and x + P − s are non-negative multiples of U with quotients oy < E,
// ox < F; its byte address follows the OutputLayout (4-byte accumulators, filters back to back, an optional halo).
// Products whose output falls outside (the padding border) are not made. Each product is a read-modify-write; the
// products of one group (fine: one weight × one activation; vector: one kept vector × one activation) are issued as
// one request per distinct aligned word of layout.RequestBytes, in product order, each given as the word's first
// byte. Filter sampling: only filters m ≡ 0 (mod filterStride) are walked.
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
    /// <summary>Feeds every request, in dataflow order, to <paramref name="sink"/>; returns the number of products.</summary>
    /// <param name="layer">A convolution.</param>
    /// <param name="weightMask">Non-zero weights, [M, C/G, R, S] row-major.</param>
    /// <param name="activationMask">Non-zero input activations, [C, H, W] row-major.</param>
    /// <param name="dataflow">Outer-loop walk (fine or vector).</param>
    /// <param name="sink">Receives the first byte of every request.</param>
    /// <param name="filterStride">Walk filters m ≡ 0 (mod filterStride) only.</param>
    /// <param name="layout">Output layout and request width (default <see cref="OutputLayout.PerProduct"/>: one request per
    /// product, dense layout).</param>
    /// <exception cref="ArgumentException">Mask lengths do not match the layer, or the layer is not a convolution.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="filterStride"/> below 1, or an invalid layout.</exception>
    public static long Generate<TSink>(Models.Shapes.LayerShape layer, ReadOnlySpan<bool> weightMask, ReadOnlySpan<bool> activationMask,
        SparseDataflow dataflow, ref TSink sink, int filterStride = 1, OutputLayout? layout = null) where TSink : struct, IAddressSink
    {
        Check(layer, weightMask, activationMask, filterStride);
        layout ??= OutputLayout.PerProduct;
        layout.Validate();
        int cg = layer.C / layer.Groups, mg = layer.M / layer.Groups, R = layer.R, S = layer.S;
        int P = layer.Padding, U = layer.Stride, E = layer.E, F = layer.F;
        int h = layout.Halo, shift = System.Numerics.BitOperations.Log2((uint)layout.RequestBytes);
        long rowStride = F + 2 * h, planeElements = (E + 2L * h) * rowStride;
        long products = 0;
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
            long origin = m * planeElements + h * rowStride + h; // element index of output (0, 0) of filter m
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
                                    if ((uint)oy < (uint)E && (uint)ox < (uint)F)
                                    {
                                        products++;
                                        sink.Access(Word(origin + oy * rowStride + ox, shift));
                                    }
                                }
                                continue;
                            }
                            for (int i = 0; i < ay.Length; i++)
                            {
                                int ny = ay[i] - r, nx = ax[i] - s;
                                if (ny < 0 || nx < 0) continue;
                                int oy = ny / U, ox = nx / U;
                                if (oy >= E || ox >= F || oy * U != ny || ox * U != nx) continue;
                                products++;
                                sink.Access(Word(origin + oy * rowStride + ox, shift));
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
                            long rowBase = origin + oy * rowStride;
                            long last = -1; // the group's previous request word
                            for (int s = 0; s < S; s++)
                            {
                                if (!w[s]) continue;
                                int nx = ax[i] - s;
                                if (nx < 0) continue;
                                int ox = nx / U;
                                if (ox >= F || ox * U != nx) continue;
                                products++;
                                long word = Word(rowBase + ox, shift);
                                if (word == last) continue;
                                last = word;
                                sink.Access(word);
                            }
                        }
                    }
                }
            }
        }
        return products;
    }

    // First byte of the request word holding accumulator `element`.
    private static long Word(long element, int shift) => (element * OutputLayout.AccumulatorBytes) >> shift << shift;

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
