// SingleProcessCommunicator: the communicator of an ordinary (non-distributed) run — rank 0 of 1. A sum over one rank is
// the buffer itself, a broadcast from rank 0 to nobody leaves it as it is, a barrier returns at once.
namespace Topiary.Distributed;

/// <summary>Rank 0 of a job of one process; every collective is a no-op.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    private SingleProcessCommunicator()
    {
    }

    /// <summary>The one instance.</summary>
    public static SingleProcessCommunicator Instance { get; } = new();

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public string Description => "single process";

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values)
    {
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values)
    {
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    /// <inheritdoc/>
    public void Barrier()
    {
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: a single process has no job to abort; the caller exits instead.</exception>
    public void Abort(int exitCode) =>
        throw new InvalidOperationException($"Abort({exitCode}) on a single-process communicator: return the exit code instead.");
}
