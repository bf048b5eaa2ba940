// CacheModel: a set-associative, write-back, write-allocate cache with true LRU replacement, counting hits
// and misses per access. Geometry: sets = size / (line · ways) (must divide exactly); line index =
// ⌊address / line⌋; set = line index mod sets. Every access is treated as a read-modify-write (the output
// accumulators of a sparse convolution), so a line becomes dirty on its first access and every eviction is a
// write-back. Misses are line fills from beyond the cache. One instance simulates one stream; not thread-safe.
namespace Topiary.Hardware.MemoryReferences;

/// <summary>Set-associative LRU cache simulator (write-back, write-allocate).</summary>
public sealed class CacheModel
{
    private readonly long[] _tags;   // [set·ways + way], line index or −1
    private readonly long[] _stamps; // last-use time of each way
    private long _clock;
    private long _lastLine = -1;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="sizeBytes">Capacity in bytes.</param>
    /// <param name="lineBytes">Line size in bytes (a power of two).</param>
    /// <param name="ways">Associativity (lines per set); <c>size / line</c> = fully associative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value below 1, a line size that is not a power of two, or a size not a multiple of line·ways.</exception>
    public CacheModel(int sizeBytes, int lineBytes, int ways)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ways, 1);
        if ((lineBytes & (lineBytes - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(lineBytes), lineBytes, "The line size must be a power of two.");
        if (sizeBytes % ((long)lineBytes * ways) != 0)
            throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, $"The size must be a multiple of line × ways = {(long)lineBytes * ways} bytes.");
        SizeBytes = sizeBytes;
        LineBytes = lineBytes;
        Ways = ways;
        Sets = (int)(sizeBytes / ((long)lineBytes * ways));
        LineShift = System.Numerics.BitOperations.Log2((uint)lineBytes);
        _tags = new long[Sets * ways];
        _stamps = new long[Sets * ways];
        Reset();
    }

    /// <summary>Capacity in bytes.</summary>
    public int SizeBytes { get; }

    /// <summary>Line size in bytes.</summary>
    public int LineBytes { get; }

    /// <summary>log2 of <see cref="LineBytes"/>.</summary>
    public int LineShift { get; }

    /// <summary>Associativity.</summary>
    public int Ways { get; }

    /// <summary>Number of sets.</summary>
    public int Sets { get; }

    /// <summary>Accesses so far.</summary>
    public long Accesses { get; private set; }

    /// <summary>Accesses that hit.</summary>
    public long Hits { get; private set; }

    /// <summary>Accesses that missed (line fills from beyond the cache).</summary>
    public long Misses { get; private set; }

    /// <summary>Evicted (dirty) lines written back.</summary>
    public long Writebacks { get; private set; }

    /// <summary>Empties the cache and zeroes the counters.</summary>
    public void Reset()
    {
        Array.Fill(_tags, -1L);
        Array.Clear(_stamps);
        _clock = 0;
        _lastLine = -1;
        Accesses = Hits = Misses = Writebacks = 0;
    }

    /// <summary>Lines resident now (each dirty: a final flush would write them back).</summary>
    public long ResidentLines => _tags.LongCount(t => t >= 0);

    /// <summary>Accesses the byte at <paramref name="address"/>; returns true on a hit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative address.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Access(long address)
    {
        if (address < 0) throw new ArgumentOutOfRangeException(nameof(address), address, "Addresses are non-negative.");
        long line = address >> LineShift;
        Accesses++;
        if (line == _lastLine)
        {
            // Already the most recently used line of its set: refreshing its stamp would not change the order.
            Hits++;
            return true;
        }
        return Lookup(line);
    }

    private bool Lookup(long line)
    {
        _lastLine = line;
        int set = (int)(line % Sets);
        int start = set * Ways, end = start + Ways;
        long stamp = ++_clock;
        int victim = start;
        for (int i = start; i < end; i++)
        {
            if (_tags[i] == line)
            {
                _stamps[i] = stamp;
                Hits++;
                return true;
            }
            if (_stamps[i] < _stamps[victim]) victim = i;
        }
        Misses++;
        if (_tags[victim] >= 0) Writebacks++;
        _tags[victim] = line;
        _stamps[victim] = stamp;
        return false;
    }
}
