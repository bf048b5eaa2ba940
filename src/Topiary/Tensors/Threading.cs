// Threading: the one place that decides how many cores kernels use. Work is split into
// fixed, index-determined chunks so results never depend on thread scheduling. The process-wide degree
// (MaxDegreeOfParallelism, set by the CLI's --threads) can be narrowed for one logical flow of work with Limit: the
// limit lives in an AsyncLocal, so it follows that flow into the parallel bodies and tasks it starts and never leaks into
// work running beside it (tests that compare 1 and 2 threads run in parallel with others). Parallel regions run on a
// team of spinning workers (WorkerTeam) when it is free, else on the thread pool; a team worker takes on the limit of the
// region it runs, so a Limit changes how many threads work, never which scheduler runs them.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Degree of parallelism for Topiary kernels and a deterministic parallel-for.</summary>
public static class Threading
{
    private static int _global = Environment.ProcessorCount;
    private static readonly AsyncLocal<int> s_limit = new();

    /// <summary>
    /// Maximum number of threads a kernel may use: the innermost <see cref="Limit"/> of the current flow of work, else the
    /// process-wide value (default: processor count; 1 = serial). Setting it sets the process-wide value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Value below 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_limit.Value is int limit and > 0 ? limit : _global;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _global = value;
        }
    }

    /// <summary>
    /// Uses <paramref name="threads"/> as the degree of parallelism for the current flow of work (this thread or task and
    /// everything it starts) until the returned scope is disposed; other work keeps its own value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> below 1.</exception>
    public static IDisposable Limit(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var scope = new LimitScope(s_limit.Value);
        s_limit.Value = threads;
        return scope;
    }

    private sealed class LimitScope(int previous) : IDisposable
    {
        public void Dispose() => s_limit.Value = previous;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>),
    /// in parallel when more than one thread is allowed. Each index runs exactly once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void For(int fromInclusive, int toExclusive, Action<int> body)
    {
        int count = toExclusive - fromInclusive;
        if (count <= 0) return;
        int max = MaxDegreeOfParallelism;
        if (max == 1 || count == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++) body(i);
            return;
        }
        Run(fromInclusive, count, max, body);
    }

    /// <summary>
    /// As <see cref="For(int, int, Action{int})"/> with an explicit thread budget (kernels that decided their
    /// degree of parallelism up front, e.g. from the problem size). Each index runs exactly once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void For(int fromInclusive, int toExclusive, int maxDegreeOfParallelism, Action<int> body)
    {
        int count = toExclusive - fromInclusive;
        if (count <= 0) return;
        if (maxDegreeOfParallelism <= 1 || count == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++) body(i);
            return;
        }
        Run(fromInclusive, count, maxDegreeOfParallelism, body);
    }

    // The worker team when it is free (its workers adopt the caller's limit for the region), else Parallel.For.
    private static void Run(int from, int count, int threads, Action<int> body)
    {
        if (WorkerTeam.TryRun(count, threads, s_limit.Value, from == 0 ? body : i => body(from + i))) return;
        Parallel.For(from, from + count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>Team workers only: makes <paramref name="limit"/> (0: none) this thread's limit, and so that of the
    /// parallel bodies and tasks it starts, until the next call.</summary>
    internal static void AdoptLimit(int limit)
    {
        if (s_limit.Value != limit) s_limit.Value = limit;
    }
}
