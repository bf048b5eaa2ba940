// MpiCommunicator: ICommunicator over MPI_COMM_WORLD of Open MPI (MpiLibrary). Initialise once per process with
// MPI_THREAD_SERIALIZED (calls may come from any thread, one at a time: a lock keeps them so); errors return codes
// (MPI_ERRORS_RETURN) and become IOExceptions naming the call, instead of MPI printing and aborting on its own.
// Allreduce runs in place on pinned memory. Open MPI's reduction algorithms depend only on the rank count, the message
// size and the operation — never on timing — so the same buckets give the same sums in every run and on every rank.
// Dispose finalises MPI; after that no MPI call may be made in this process (MPI cannot be initialised twice).
namespace Topiary.Distributed;

/// <summary>MPI_COMM_WORLD through Open MPI's C library.</summary>
public sealed unsafe class MpiCommunicator : ICommunicator, IDisposable
{
    private static readonly Lock Gate = new();
    private static MpiCommunicator? _instance;
    private readonly MpiLibrary _mpi;
    private bool _finalized;

    private MpiCommunicator(MpiLibrary mpi, int rank, int size)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public string Description => $"Open MPI ({_mpi.Name}), {Size} rank{(Size == 1 ? "" : "s")}";

    /// <summary>Loads Open MPI and initialises it (once per process; later calls return the same communicator).</summary>
    /// <exception cref="MpiUnavailableException">No Open MPI library could be loaded.</exception>
    /// <exception cref="IOException">MPI_Init_thread failed, or MPI was already finalised.</exception>
    public static MpiCommunicator Initialize()
    {
        lock (Gate)
        {
            if (_instance is { _finalized: false }) return _instance;
            if (_instance is not null) throw new IOException("MPI was finalised in this process and cannot be initialised again.");
            var mpi = MpiLibrary.Load();
            int flag = 0, provided = 0, rank = 0, size = 0;
            Check(mpi, mpi.Initialized(&flag), "MPI_Initialized");
            if (flag == 0) Check(mpi, mpi.InitThread(null, 0, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
            Check(mpi, mpi.SetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
            Check(mpi, mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
            Check(mpi, mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
            if (flag == 0 && provided < MpiLibrary.ThreadSerialized)
                throw new IOException($"{mpi.Name} provides thread level {provided}; Topiary needs MPI_THREAD_SERIALIZED ({MpiLibrary.ThreadSerialized}).");
            return _instance = new MpiCommunicator(mpi, rank, size);
        }
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values)
    {
        if (values.IsEmpty) return;
        lock (Gate)
        {
            ThrowIfFinalized();
            fixed (float* p = values) Check(_mpi, _mpi.AllReduce((void*)1, p, values.Length, _mpi.Float, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
        }
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values)
    {
        if (values.IsEmpty) return;
        lock (Gate)
        {
            ThrowIfFinalized();
            fixed (double* p = values) Check(_mpi, _mpi.AllReduce((void*)1, p, values.Length, _mpi.Double, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root)
    {
        if ((uint)root >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank in [0, {Size}).");
        if (buffer.IsEmpty) return;
        lock (Gate)
        {
            ThrowIfFinalized();
            fixed (byte* p = buffer) Check(_mpi, _mpi.Bcast(p, buffer.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
        }
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        lock (Gate)
        {
            ThrowIfFinalized();
            Check(_mpi, _mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
        }
    }

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        // No lock: another thread may be blocked inside a collective that will never finish.
        if (!_finalized) _mpi.Abort(_mpi.CommWorld, exitCode);
    }

    /// <summary>MPI_Finalize (collective: every rank calls it at its end).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_finalized) return;
            _finalized = true;
            int done = 0;
            if (_mpi.Finalized(&done) == MpiLibrary.Success && done == 0) _mpi.FinalizeMpi();
        }
    }

    private void ThrowIfFinalized()
    {
        if (_finalized) throw new ObjectDisposedException(nameof(MpiCommunicator), "MPI has been finalised.");
    }

    private static void Check(MpiLibrary mpi, int code, string call)
    {
        if (code != MpiLibrary.Success) throw new IOException($"{call} failed: {mpi.Describe(code)}.");
    }
}
