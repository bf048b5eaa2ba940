// SparsityPatterns: seeded random masks and matrices at a given sparsity, for tests, benchmarks and the
// crossover meter. A mask of [rows, cols] holds 1 (kept) or 0 (removed); exactly round(sparsity·units) of the
// pattern's units (elements, aligned row groups, aligned blocks; partial units at the right/bottom edges count
// as units) are removed, chosen uniformly by a partial Fisher–Yates shuffle driven by SplitMix64, so the same
// seed gives the same mask on every machine.
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>Seeded random masks and pruned random matrices.</summary>
public static class SparsityPatterns
{
    /// <summary>A 0/1 mask [rows, cols] with round(sparsity·units) units of <paramref name="pattern"/> removed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or <paramref name="sparsity"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="pattern"/> is null.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Mask(int rows, int cols, SparsityPattern pattern, double sparsity, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (!(sparsity >= 0 && sparsity <= 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "Sparsity must be in [0, 1].");
        int uw = pattern.Width, uh = pattern.Height;
        int unitCols = (cols + uw - 1) / uw, unitRows = (rows + uh - 1) / uh;
        int units = unitRows * unitCols;
        int remove = (int)Math.Round(sparsity * units, MidpointRounding.AwayFromZero);
        var order = new int[units];
        for (int i = 0; i < units; i++) order[i] = i;
        var rng = new SplitMix64(seed);
        for (int i = 0; i < remove; i++)
        {
            int j = i + (int)rng.NextBelow((uint)(units - i));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var mask = new float[(long)rows * cols];
        Array.Fill(mask, 1f);
        for (int i = 0; i < remove; i++)
        {
            int ur = order[i] / unitCols, uc = order[i] % unitCols;
            for (int r = ur * uh; r < Math.Min(rows, ur * uh + uh); r++)
                mask.AsSpan(r * cols + uc * uw, Math.Min(uw, cols - uc * uw)).Clear();
        }
        return mask;
    }

    /// <summary>
    /// A [rows, cols] matrix of non-zero values uniform in ±[0.05, 1) times <see cref="Mask"/>: exactly the mask's kept
    /// entries are non-zero.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="Mask"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] RandomMatrix(int rows, int cols, SparsityPattern pattern, double sparsity, ulong seed)
    {
        var m = Mask(rows, cols, pattern, sparsity, seed);
        var rng = new SplitMix64(seed ^ 0x5DEECE66DUL);
        for (int i = 0; i < m.Length; i++)
        {
            ulong bits = rng.Next();
            float mag = 0.05f + 0.95f * (float)((bits >> 40) / (double)(1UL << 24));
            float v = (bits & 1) == 0 ? mag : -mag;
            m[i] *= v;
        }
        return m;
    }

    /// <summary><paramref name="count"/> values uniform in [-1, 1) (dense inputs for products).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] RandomVector(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new SplitMix64(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)((rng.Next() >> 40) / (double)(1UL << 23) - 1.0);
        return x;
    }
}
