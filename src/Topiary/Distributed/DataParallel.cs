// DataParallel: which communicator the current run trains with. It is ambient (an AsyncLocal, like a culture) because
// one process is one rank of one job: the CLI sets it once for the command (`--distributed`), and every training loop
// (Trainer.Step, TrainingRun.Batches), every file write (AtomicFile: rank 0 writes, the others wait) and every
// consistency check reads it, without threading a parameter through each pruning schedule. The default is the
// single-process communicator, so code that never sets it behaves exactly as before.
// Independent(): a scope in which this rank works alone (a fan-out sweep's own points): no sharding, no gradient sums,
// and it writes its own files.
namespace Topiary.Distributed;

/// <summary>The ambient communicator of data-parallel training.</summary>
public static class DataParallel
{
    private static readonly AsyncLocal<ICommunicator?> Ambient = new();
    private static readonly AsyncLocal<int> AmbientMicroBatches = new();

    /// <summary>The communicator in force here (default: <see cref="SingleProcessCommunicator.Instance"/>).</summary>
    public static ICommunicator Current => Ambient.Value ?? SingleProcessCommunicator.Instance;

    /// <summary>True when more than one rank trains together.</summary>
    public static bool IsDistributed => Current.Size > 1;

    /// <summary>True on the rank that writes files, reports and progress (rank 0).</summary>
    public static bool IsWriter => Current.Rank == 0;

    /// <summary>
    /// Micro-batches per step (gradient accumulation): each rank's batch is cut into this many contiguous shares
    /// (BatchShard), whose gradients are computed separately and added in order. One process with N micro-batches takes
    /// bit-for-bit the steps of N = 2 ranks (the sum of two gradients does not depend on the order), and of any N up to
    /// MPI's reduction order. Default 1 (one forward/backward per batch).
    /// </summary>
    public static int MicroBatches => Math.Max(1, AmbientMicroBatches.Value);

    /// <summary>Sets <see cref="MicroBatches"/> until the returned scope is disposed.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static IDisposable UseMicroBatches(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int previous = AmbientMicroBatches.Value;
        AmbientMicroBatches.Value = count;
        return new MicroBatchScope(previous);
    }

    /// <summary>Time and volume of the gradient sums of this process (for benchmarks and reports).</summary>
    public static CommunicationStatistics Statistics { get; } = new();

    /// <summary>Makes <paramref name="communicator"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        var previous = Ambient.Value;
        Ambient.Value = communicator;
        return new Scope(previous);
    }

    /// <summary>A scope in which this rank works alone (independent sweep points): it reads all its data, sums nothing,
    /// and writes its own files.</summary>
    public static IDisposable Independent() => Use(SingleProcessCommunicator.Instance);

    private sealed class MicroBatchScope(int previous) : IDisposable
    {
        public void Dispose() => AmbientMicroBatches.Value = previous;
    }

    private sealed class Scope(ICommunicator? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Ambient.Value = previous;
        }
    }
}
