// BruteForceReference: the test oracle for the memory-reference simulator — the output address list written
// straight from the definition (every product of a non-zero weight and a non-zero activation, in loop order,
// with the output coordinate checked by the convolution equation) and a naive LRU cache (a list per set,
// most recent last).
using Topiary.Hardware.MemoryReferences;
using Topiary.Models.Shapes;

namespace Topiary.Tests.Hardware.MemoryReferences;

internal static class BruteForceReference
{
    public static List<long> Addresses(LayerShape l, bool[] w, bool[] a, SparseDataflow flow)
    {
        var list = new List<long>();
        int cg = l.C / l.Groups, mg = l.M / l.Groups;
        for (int m = 0; m < l.M; m++)
            for (int k = 0; k < cg; k++)
                for (int r = 0; r < l.R; r++)
                {
                    int c = m / mg * cg + k;
                    bool W(int s) => w[((m * cg + k) * l.R + r) * l.S + s];
                    void Emit(int y, int x, int s)
                    {
                        // Output (oy, ox) receives x[c, oy·U − P + r, ox·U − P + s].
                        for (int oy = 0; oy < l.E; oy++)
                            for (int ox = 0; ox < l.F; ox++)
                                if (oy * l.Stride - l.Padding + r == y && ox * l.Stride - l.Padding + s == x)
                                    list.Add(4L * ((m * l.E + oy) * l.F + ox));
                    }
                    bool A(int y, int x) => a[(c * l.H + y) * l.W + x];
                    if (flow == SparseDataflow.Fine)
                    {
                        for (int s = 0; s < l.S; s++)
                            if (W(s))
                                for (int y = 0; y < l.H; y++)
                                    for (int x = 0; x < l.W; x++)
                                        if (A(y, x)) Emit(y, x, s);
                    }
                    else if (Enumerable.Range(0, l.S).Any(W))
                    {
                        for (int y = 0; y < l.H; y++)
                            for (int x = 0; x < l.W; x++)
                                if (A(y, x))
                                    for (int s = 0; s < l.S; s++)
                                        if (W(s)) Emit(y, x, s);
                    }
                }
        return list;
    }

    /// <summary>The request list from the definition: the products grouped (fine: each product; vector: one kept vector × one
    /// activation), each output placed in the halo layout, one request per distinct aligned word of a group, in order.</summary>
    public static List<long> Requests(LayerShape l, bool[] w, bool[] a, SparseDataflow flow, int halo, int requestBytes)
    {
        var requests = new List<long>();
        int cg = l.C / l.Groups, mg = l.M / l.Groups;
        long Byte(int m, int oy, int ox) => 4L * (((long)m * (l.E + 2 * halo) + oy + halo) * (l.F + 2 * halo) + ox + halo);
        void Issue(List<long> group) => requests.AddRange(group.Select(b => b / requestBytes * requestBytes).Distinct());
        for (int m = 0; m < l.M; m++)
            for (int k = 0; k < cg; k++)
                for (int r = 0; r < l.R; r++)
                {
                    int c = m / mg * cg + k;
                    bool W(int s) => w[((m * cg + k) * l.R + r) * l.S + s];
                    bool A(int y, int x) => a[(c * l.H + y) * l.W + x];
                    void Products(int y, int x, int s, List<long> into)
                    {
                        for (int oy = 0; oy < l.E; oy++)
                            for (int ox = 0; ox < l.F; ox++)
                                if (oy * l.Stride - l.Padding + r == y && ox * l.Stride - l.Padding + s == x) into.Add(Byte(m, oy, ox));
                    }
                    for (int s0 = 0; s0 < (flow == SparseDataflow.Fine ? l.S : 1); s0++)
                    {
                        if (flow == SparseDataflow.Fine ? !W(s0) : !Enumerable.Range(0, l.S).Any(W)) continue;
                        for (int y = 0; y < l.H; y++)
                            for (int x = 0; x < l.W; x++)
                            {
                                if (!A(y, x)) continue;
                                if (flow == SparseDataflow.Fine)
                                {
                                    var one = new List<long>();
                                    Products(y, x, s0, one);
                                    foreach (long b in one) Issue([b]);
                                    continue;
                                }
                                var group = new List<long>();
                                for (int s = 0; s < l.S; s++)
                                    if (W(s)) Products(y, x, s, group);
                                Issue(group);
                            }
                    }
                }
        return requests;
    }

    public static (long Hits, long Misses, long Writebacks) Lru(IEnumerable<long> addresses, int size, int line, int ways)
    {
        int sets = size / (line * ways);
        var lists = Enumerable.Range(0, sets).Select(_ => new List<long>()).ToArray();
        long hits = 0, misses = 0, writebacks = 0;
        foreach (long addr in addresses)
        {
            long l = addr / line;
            var set = lists[(int)(l % sets)];
            if (set.Remove(l)) hits++;
            else
            {
                misses++;
                if (set.Count == ways)
                {
                    set.RemoveAt(0);
                    writebacks++;
                }
            }
            set.Add(l);
        }
        return (hits, misses, writebacks);
    }
}
