// ChannelSelection: which channels to remove to reach a target, given scores per group.
// Each group removes its channels lowest score first, in chunks that keep its channel count legal:
//   kept counts allowed: the full count n, or multiples of round_to (N) that are ≥ N and ≥ ⌈n·(1 − max_ratio)⌉ (≥ 1)
//   (so with N = 8 a 20-channel group may keep 20, 16 or 8 channels, never 12 if max_ratio = 0.5 forbids it).
// Global ranking: chunks of all groups compete on their mean normalised score (ChannelImportance.Normalise); the
// lowest goes first, then that group's next chunk enters. Per-layer ranking: every group removes the same fraction.
// Targets: a fraction of all prunable channels, or a MAC reduction factor F (forward MACs ≤ dense / F, counted as
// OpCounter counts them). When the constraints stop the search first, TargetReached is false and the result is
// what they allow.
namespace Topiary.Pruning.Channels;

/// <summary>What channel pruning aims for and under which constraints.</summary>
public sealed record ChannelTarget
{
    /// <summary>Fraction of the prunable channels to remove (null: use <see cref="MacsReduction"/>).</summary>
    public double? ChannelSparsity { get; init; }

    /// <summary>Forward MACs of the pruned model ≤ dense / this factor (null: use <see cref="ChannelSparsity"/>).</summary>
    public double? MacsReduction { get; init; }

    /// <summary>Rank channels of all groups together (normalised scores) instead of pruning every group by the same fraction.</summary>
    public bool Global { get; init; } = true;

    /// <summary>At most this fraction of any group's channels goes.</summary>
    public double MaxRatio { get; init; } = 0.9;

    /// <summary>Kept channel counts are multiples of this (1: any count).</summary>
    public int RoundTo { get; init; } = 1;

    /// <summary>Throws unless exactly one target is set and every value is in range.</summary>
    /// <exception cref="ArgumentException">The message names the option.</exception>
    public void Validate()
    {
        if (ChannelSparsity is null == MacsReduction is null)
            throw new ArgumentException("Give exactly one channel-pruning target: a channel sparsity or a MACs reduction.");
        if (ChannelSparsity is { } s && !(s >= 0 && s < 1))
            throw new ArgumentException($"Channel sparsity {s} must be in [0, 1).");
        if (MacsReduction is { } f && !(f >= 1 && double.IsFinite(f)))
            throw new ArgumentException($"MACs reduction {f} must be a finite factor ≥ 1.");
        if (!(MaxRatio > 0 && MaxRatio < 1))
            throw new ArgumentException($"Maximum pruning ratio {MaxRatio} must be in (0, 1).");
        if (RoundTo < 1) throw new ArgumentException($"round_to {RoundTo} must be ≥ 1.");
    }
}

/// <summary>The channels chosen for removal and what the model will cost without them.</summary>
/// <param name="Remove">Per group, the channel indices to remove (increasing).</param>
/// <param name="DenseMacs">Forward MACs per example before.</param>
/// <param name="Macs">Forward MACs per example after.</param>
/// <param name="RemovedChannels">Channels removed.</param>
/// <param name="TargetReached">False when the constraints stopped the search short of the target.</param>
public sealed record ChannelSelection(IReadOnlyDictionary<ChannelGroup, IReadOnlyCollection<int>> Remove, long DenseMacs, long Macs, int RemovedChannels, bool TargetReached)
{
    /// <summary>Chooses channels of <paramref name="deps"/> with <paramref name="scores"/> (per group, per channel) for <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">An invalid target, or scores that do not match the groups.</exception>
    public static ChannelSelection Choose(ChannelDependencies deps, double[][] scores, ChannelTarget target)
    {
        ArgumentNullException.ThrowIfNull(deps);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(target);
        target.Validate();
        if (scores.Length != deps.Groups.Count || scores.Where((s, g) => s.Length != deps.Groups[g].Channels).Any())
            throw new ArgumentException("Scores must have one array per group with one score per channel.", nameof(scores));
        var chunks = deps.Groups.Select((g, i) => Chunks(g.Channels, scores[i], target)).ToArray();
        if (target.Global) return Greedy(deps, ChannelImportance.Normalise(scores), chunks, target);
        if (target.ChannelSparsity is { } s) return Uniform(deps, chunks, s);
        // Per-layer ranking with a MAC target: the smallest common fraction that reaches it (bisection).
        double lo = 0, hi = target.MaxRatio;
        var best = Uniform(deps, chunks, hi);
        if (!best.Reaches(target)) return best with { TargetReached = false };
        for (int it = 0; it < 30; it++)
        {
            double mid = (lo + hi) / 2;
            var trial = Uniform(deps, chunks, mid);
            if (trial.Reaches(target)) (hi, best) = (mid, trial);
            else lo = mid;
        }
        return best;
    }

    private bool Reaches(ChannelTarget t) => Macs * t.MacsReduction!.Value <= DenseMacs * (1 + 1e-12);

    // Per group, the legal removal steps: lists of channel indices (lowest scores first).
    private static List<int[]> Chunks(int n, double[] scores, ChannelTarget target)
    {
        var order = Enumerable.Range(0, n).OrderBy(k => scores[k]).ThenBy(k => k).ToArray();
        int minKept = Math.Max(1, (int)Math.Ceiling(n * (1 - target.MaxRatio) - 1e-9));
        int step = target.RoundTo;
        var kept = new List<int> { n };
        for (int k = (n - 1) / step * step; k >= Math.Max(step, minKept); k -= step)
            if (k < n) kept.Add(k);
        var chunks = new List<int[]>();
        for (int i = 1; i < kept.Count; i++) chunks.Add(order[(n - kept[i - 1])..(n - kept[i])]);
        return chunks;
    }

    private static ChannelSelection Greedy(ChannelDependencies deps, double[][] norm, List<int[]>[] chunks, ChannelTarget target)
    {
        var macs = new ChannelMacs(deps);
        var removed = deps.Groups.Select(_ => new List<int>()).ToArray();
        var next = new int[chunks.Length];
        var queue = new PriorityQueue<int, (double Score, int Group)>();
        for (int g = 0; g < chunks.Length; g++)
            if (chunks[g].Count > 0) queue.Enqueue(g, (Mean(norm[g], chunks[g][0]), g));
        int total = deps.PrunableChannels, count = 0;
        bool Done() => target.ChannelSparsity is { } s ? count >= s * total - 1e-9 : macs.Total * target.MacsReduction!.Value <= macs.Dense;
        while (!Done() && queue.TryDequeue(out int g, out _))
        {
            var chunk = chunks[g][next[g]++];
            foreach (int k in chunk) macs.Remove(deps.Groups[g].Classes[k]);
            removed[g].AddRange(chunk);
            count += chunk.Length;
            if (next[g] < chunks[g].Count) queue.Enqueue(g, (Mean(norm[g], chunks[g][next[g]]), g));
        }
        return Result(deps, removed, macs, count, Done());
    }

    // Every group removes its legal chunks while its removed fraction stays ≤ f (rounded to the nearest legal count).
    private static ChannelSelection Uniform(ChannelDependencies deps, List<int[]>[] chunks, double f)
    {
        var macs = new ChannelMacs(deps);
        var removed = deps.Groups.Select(_ => new List<int>()).ToArray();
        int count = 0;
        for (int g = 0; g < chunks.Length; g++)
        {
            double want = f * deps.Groups[g].Channels;
            foreach (var chunk in chunks[g])
            {
                if (removed[g].Count + chunk.Length / 2.0 > want + 1e-9) break;
                foreach (int k in chunk) macs.Remove(deps.Groups[g].Classes[k]);
                removed[g].AddRange(chunk);
                count += chunk.Length;
            }
        }
        return Result(deps, removed, macs, count, reached: true);
    }

    private static ChannelSelection Result(ChannelDependencies deps, List<int>[] removed, ChannelMacs macs, int count, bool reached)
    {
        var map = new Dictionary<ChannelGroup, IReadOnlyCollection<int>>();
        for (int g = 0; g < removed.Length; g++)
            if (removed[g].Count > 0) map[deps.Groups[g]] = removed[g].Order().ToArray();
        return new ChannelSelection(map, macs.Dense, macs.Total, count, reached);
    }

    private static double Mean(double[] scores, int[] chunk) => chunk.Average(k => scores[k]);
}
