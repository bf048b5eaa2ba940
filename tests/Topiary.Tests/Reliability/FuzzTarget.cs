// FuzzTarget: one parser under fuzzing — its name, the valid files our own writers produce (the seeds mutations
// start from, with a weight each: a large seed can be picked less often), the call that parses an input, the
// exception types the parser documents, and an optional format-aware mutator (one that keeps the framing valid
// — length fields, CRCs, protobuf structure — so mutations reach the decoder behind it).
namespace Topiary.Tests.Reliability;

/// <summary>A valid file to mutate and how often it is picked relative to the others.</summary>
internal sealed record FuzzSeed(string Name, byte[] Bytes, int Weight = 1);

/// <summary>A parser under fuzzing.</summary>
internal sealed record FuzzTarget
{
    public FuzzTarget(string name, IReadOnlyList<FuzzSeed> seeds, Action<byte[]> parse, params Type[] documented)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (seeds.Count == 0) throw new ArgumentException("A target needs at least one seed.", nameof(seeds));
        if (documented.Length == 0) throw new ArgumentException("A target documents at least one exception type.", nameof(documented));
        Name = name;
        Seeds = seeds;
        Parse = parse;
        Documented = documented;
        _totalWeight = seeds.Sum(s => s.Weight);
    }

    private readonly int _totalWeight;

    /// <summary>Short name used in reports and file names (e.g. <c>idx</c>).</summary>
    public string Name { get; }

    /// <summary>Valid inputs produced by our own writers.</summary>
    public IReadOnlyList<FuzzSeed> Seeds { get; }

    /// <summary>Parses one input; returning normally means "accepted".</summary>
    public Action<byte[]> Parse { get; }

    /// <summary>Exception types (or their base types) the parser documents for bad input.</summary>
    public IReadOnlyList<Type> Documented { get; }

    /// <summary>A format-aware mutation of a seed (null: byte-level mutations only). Used for half of the mutated inputs.</summary>
    public Func<byte[], Random, byte[]>? Structured { get; init; }

    /// <summary>An input allocating more than this many bytes (on the parsing thread) is a failure.</summary>
    public long MemoryCapBytes { get; init; } = 256L << 20;

    /// <summary>True when <paramref name="e"/> is one of the documented exception types.</summary>
    public bool IsDocumented(Exception e) => Documented.Any(t => t.IsInstanceOfType(e));

    /// <summary>A seed drawn by weight.</summary>
    public FuzzSeed PickSeed(Random rng)
    {
        int r = rng.Next(_totalWeight);
        foreach (var s in Seeds)
        {
            if (r < s.Weight) return s;
            r -= s.Weight;
        }
        return Seeds[^1];
    }
}
