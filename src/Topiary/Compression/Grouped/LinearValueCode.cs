// LinearValueCode: the value quantiser of the group-sparse format for valueBits b < 32. Code 0 is exact
// zero; codes 1..L (L = 2^b − 1) are L evenly spaced levels over [min, max] of the layer's stored non-zero
// values (Deep Compression's linear initialisation, without k-means refinement):
//   level(k) = min + (k − 1)·(max − min)/(L − 1)   (L = 1 or max = min: every level is min)
//   code(v)  = 0 if v = 0, else clamp(1 + round((v − min)/(max − min)·(L − 1)), 1, L)
// A non-zero value never gets code 0, so a kept group is never mistaken for a filler.
namespace Topiary.Compression.Grouped;

/// <summary>Linear quantiser with a reserved zero code.</summary>
public readonly record struct LinearValueCode(float Min, float Max, int Bits)
{
    /// <summary>Number of non-zero levels, <c>2^Bits − 1</c>.</summary>
    public int Levels => (int)((1L << Bits) - 1);

    /// <summary>Code of <paramref name="value"/> (0 only for 0).</summary>
    public uint Encode(float value)
    {
        if (value == 0) return 0;
        int levels = Levels;
        if (levels == 1 || !(Max > Min)) return 1;
        double t = (value - (double)Min) / ((double)Max - Min) * (levels - 1);
        return (uint)Math.Clamp(1 + (long)Math.Round(t, MidpointRounding.AwayFromZero), 1, levels);
    }

    /// <summary>Value of <paramref name="code"/>.</summary>
    public float Decode(uint code)
    {
        if (code == 0) return 0;
        int levels = Levels;
        if (levels == 1 || !(Max > Min)) return Min;
        return (float)(Min + (code - 1) * (((double)Max - Min) / (levels - 1)));
    }
}
