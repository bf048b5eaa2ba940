// ICommunicator: the few collective operations data-parallel training needs — rank and size, an in-place sum of
// float/double buffers across all ranks, a broadcast of bytes, a barrier, and aborting the whole job. Every method is
// collective: all ranks call it, in the same order, with buffers of the same length, or the job deadlocks.
// Implementations: SingleProcessCommunicator (rank 0 of 1, every call a no-op) and MpiCommunicator (Open MPI's C ABI).
namespace Topiary.Distributed;

/// <summary>A group of processes (ranks) that train one model together. All members are collective.</summary>
public interface ICommunicator
{
    /// <summary>This process's rank, in <c>[0, Size)</c>.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>A short description for logs, e.g. "Open MPI, 2 ranks".</summary>
    string Description { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over all ranks.</summary>
    /// <exception cref="IOException">The MPI call failed (e.g. a peer died).</exception>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over all ranks.</summary>
    /// <exception cref="IOException">The MPI call failed.</exception>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> into every other rank's buffer (same length).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    /// <exception cref="IOException">The MPI call failed.</exception>
    void Broadcast(Span<byte> buffer, int root);

    /// <summary>Returns once every rank has called it.</summary>
    /// <exception cref="IOException">The MPI call failed.</exception>
    void Barrier();

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (MPI_Abort); does not return for MPI.</summary>
    void Abort(int exitCode);
}
