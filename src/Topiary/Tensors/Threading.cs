// Threading: the one place that decides how many cores kernels use. Work is split into
// fixed, index-determined chunks so results never depend on thread scheduling.
namespace Topiary.Tensors;

/// <summary>Degree of parallelism for Topiary kernels and a deterministic parallel-for.</summary>
public static class Threading
{
    private static int _max = Environment.ProcessorCount;

    /// <summary>Maximum number of threads a kernel may use (default: processor count; 1 = serial).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Value below 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => _max;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _max = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>),
    /// in parallel when more than one thread is allowed. Each index runs exactly once.
    /// </summary>
    public static void For(int fromInclusive, int toExclusive, Action<int> body)
    {
        int count = toExclusive - fromInclusive;
        if (count <= 0) return;
        if (_max == 1 || count == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++) body(i);
            return;
        }
        Parallel.For(fromInclusive, toExclusive, new ParallelOptions { MaxDegreeOfParallelism = _max }, body);
    }

    /// <summary>
    /// As <see cref="For(int, int, Action{int})"/> with an explicit thread budget (kernels that decided their
    /// degree of parallelism up front, e.g. from the problem size). Each index runs exactly once.
    /// </summary>
    internal static void For(int fromInclusive, int toExclusive, int maxDegreeOfParallelism, Action<int> body)
    {
        int count = toExclusive - fromInclusive;
        if (count <= 0) return;
        if (maxDegreeOfParallelism <= 1 || count == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++) body(i);
            return;
        }
        Parallel.For(fromInclusive, toExclusive, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, body);
    }
}
