// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed generator whose output is fixed by its seed on
// every machine and .NET version (unlike System.Random's algorithm, which is not a compatibility
// promise). Used where a seeded order must stay reproducible: data shuffling, Forgy initialisation.
namespace Topiary;

/// <summary>The SplitMix64 generator.</summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire's multiply-and-reject).</summary>
    public uint NextBelow(uint bound)
    {
        ulong m = (Next() >> 32) * bound;
        uint low = (uint)m;
        if (low < bound)
        {
            uint threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                m = (Next() >> 32) * bound;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }
}
