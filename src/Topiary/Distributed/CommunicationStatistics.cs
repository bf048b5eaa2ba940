// CommunicationStatistics: how much of a distributed run went into summing gradients — steps, floats summed, seconds
// inside the allreduce calls (which include waiting for the slowest rank). Written by GradientAllReduce on the training
// thread; read by reports and benchmarks.
namespace Topiary.Distributed;

/// <summary>Counters of gradient allreduce work in this process.</summary>
public sealed class CommunicationStatistics
{
    private long _steps, _floats, _ticks;

    /// <summary>Optimizer steps whose gradients were summed.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Floats summed in all (gradients and the loss), per rank.</summary>
    public long Floats => Interlocked.Read(ref _floats);

    /// <summary>Seconds spent inside allreduce calls (waiting for peers included).</summary>
    public double AllReduceSeconds => Interlocked.Read(ref _ticks) / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Mean allreduce time per step in milliseconds (0 when no step ran).</summary>
    public double MillisecondsPerStep => Steps == 0 ? 0 : AllReduceSeconds * 1000 / Steps;

    /// <summary>Adds one step's counts.</summary>
    public void Add(long floats, long stopwatchTicks)
    {
        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _floats, floats);
        Interlocked.Add(ref _ticks, stopwatchTicks);
    }

    /// <summary>Clears the counters.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _steps, 0);
        Interlocked.Exchange(ref _floats, 0);
        Interlocked.Exchange(ref _ticks, 0);
    }
}
