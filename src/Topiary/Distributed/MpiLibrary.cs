// MpiLibrary: the eleven MPI entry points Topiary uses, bound at run time to Open MPI's C library (libmpi.so.40: Open
// MPI 3, 4 and 5). Open MPI's handles are pointers to global objects — MPI_COMM_WORLD is &ompi_mpi_comm_world, MPI_FLOAT
// &ompi_mpi_float, MPI_SUM &ompi_mpi_op_sum — so their addresses come from the library's export table. The library is
// opened with RTLD_GLOBAL (as mpi4py does) so the MCA plugins it loads later can resolve its symbols. Other ABIs
// (MPICH, Intel MPI: integer handles) lack those symbols and are refused with a clear message.
using System.Runtime.InteropServices;

namespace Topiary.Distributed;

/// <summary>Function pointers and predefined handles of Open MPI's C library.</summary>
internal sealed unsafe partial class MpiLibrary
{
    public const int Success = 0;
    public const int ThreadSerialized = 2;    // enum { SINGLE, FUNNELED, SERIALIZED, MULTIPLE } in mpi.h
    private const int RtldNow = 2, RtldGlobal = 0x100;

    private MpiLibrary(nint handle, string name)
    {
        Handle = handle;
        Name = name;
        Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export("MPI_Init_thread");
        FinalizeMpi = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        AllReduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
        Barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
        Abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        SetErrhandler = (delegate* unmanaged<nint, nint, int>)Export("MPI_Comm_set_errhandler");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
        CommWorld = OpenMpiGlobal("ompi_mpi_comm_world");
        Float = OpenMpiGlobal("ompi_mpi_float");
        Double = OpenMpiGlobal("ompi_mpi_double");
        Byte = OpenMpiGlobal("ompi_mpi_byte");
        OpSum = OpenMpiGlobal("ompi_mpi_op_sum");
        ErrorsReturn = OpenMpiGlobal("ompi_mpi_errors_return");
    }

    public nint Handle { get; }
    public string Name { get; }
    public delegate* unmanaged<int*, int> Initialized { get; }
    public delegate* unmanaged<int*, int> Finalized { get; }
    public delegate* unmanaged<int*, nint, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int> FinalizeMpi { get; }
    public delegate* unmanaged<nint, int*, int> CommRank { get; }
    public delegate* unmanaged<nint, int*, int> CommSize { get; }
    public delegate* unmanaged<void*, void*, int, nint, nint, nint, int> AllReduce { get; }
    public delegate* unmanaged<void*, int, nint, int, nint, int> Bcast { get; }
    public delegate* unmanaged<nint, int> Barrier { get; }
    public delegate* unmanaged<nint, int, int> Abort { get; }
    public delegate* unmanaged<nint, nint, int> SetErrhandler { get; }
    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }
    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint Byte { get; }
    public nint OpSum { get; }
    public nint ErrorsReturn { get; }

    /// <summary>Names tried in order: TOPIARY_MPI_LIBRARY alone when set, else Open MPI's soname.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("TOPIARY_MPI_LIBRARY") is { Length: > 0 } custom) return [custom];
        return OperatingSystem.IsMacOS() ? ["libmpi.40.dylib", "libmpi.dylib"] : ["libmpi.so.40", "libmpi.so"];
    }

    /// <summary>Loads the first candidate that opens and is Open MPI.</summary>
    /// <exception cref="MpiUnavailableException">None could be loaded, or the one found is not Open MPI.</exception>
    public static MpiLibrary Load()
    {
        var failures = new List<string>();
        foreach (string name in Candidates())
        {
            nint handle = Open(name, out string? error);
            if (handle == 0)
            {
                failures.Add($"{name}: {error}");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                throw new MpiUnavailableException($"{name} was loaded but is not Open MPI (no symbol ompi_mpi_comm_world); Topiary binds Open MPI's ABI. " + InstallHint);
            return new MpiLibrary(handle, name);
        }
        throw new MpiUnavailableException($"--distributed needs an MPI library and none could be loaded ({string.Join("; ", failures)}). " + InstallHint);
    }

    private const string InstallHint =
        "Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin; a cluster: module load openmpi) or point TOPIARY_MPI_LIBRARY at its libmpi.so.40.";

    /// <summary>The message of MPI error <paramref name="code"/>.</summary>
    public string Describe(int code)
    {
        byte* text = stackalloc byte[512]; // MPI_MAX_ERROR_STRING is 256 in Open MPI
        int length = 0;
        if (ErrorString(code, text, &length) != Success || length <= 0) return $"MPI error {code}";
        return $"MPI error {code}: {System.Text.Encoding.ASCII.GetString(text, Math.Min(length, 511))}";
    }

    private nint Export(string name) => NativeLibrary.TryGetExport(Handle, name, out nint address) ? address
        : throw new MpiUnavailableException($"{Name} has no function {name}; Topiary needs an MPI-3 library (Open MPI 3 or later). " + InstallHint);

    private nint OpenMpiGlobal(string name) => NativeLibrary.TryGetExport(Handle, name, out nint address) ? address
        : throw new MpiUnavailableException($"{Name} has no symbol {name}; Topiary binds Open MPI's ABI (Open MPI 3 or later). " + InstallHint);

    private static nint Open(string name, out string? error)
    {
        error = null;
        if (!OperatingSystem.IsLinux())
        {
            if (NativeLibrary.TryLoad(name, out nint h)) return h;
            error = "not found";
            return 0;
        }
        try
        {
            nint handle = DlOpen(name, RtldNow | RtldGlobal);
            if (handle == 0) error = Marshal.PtrToStringUTF8(DlError()) ?? "dlopen failed";
            return handle;
        }
        catch (EntryPointNotFoundException e)
        {
            error = e.Message;
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint DlError();
}
