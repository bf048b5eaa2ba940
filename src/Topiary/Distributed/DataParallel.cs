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

    /// <summary>The communicator in force here (default: <see cref="SingleProcessCommunicator.Instance"/>).</summary>
    public static ICommunicator Current => Ambient.Value ?? SingleProcessCommunicator.Instance;

    /// <summary>True when more than one rank trains together.</summary>
    public static bool IsDistributed => Current.Size > 1;

    /// <summary>True on the rank that writes files, reports and progress (rank 0).</summary>
    public static bool IsWriter => Current.Rank == 0;

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
