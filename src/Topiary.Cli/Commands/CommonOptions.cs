// CommonOptions: options shared by several commands, and small helpers to build them.
using System.CommandLine;

namespace Topiary.Cli.Commands;

/// <summary>Options shared across commands.</summary>
public static class CommonOptions
{
    /// <summary><c>--json PATH</c>: write the command's result as JSON.</summary>
    public static Option<string?> Json() => new("--json") { Description = "Write the result as JSON to this file (atomically)." };

    /// <summary><c>--threads N</c>: limit the number of cores kernels use.</summary>
    public static Option<int?> Threads() => new("--threads") { Description = "Maximum number of threads the kernels use (default: all cores)." };

    /// <summary>
    /// <c>--distributed</c>: run as one rank of an MPI job (data-parallel training, rank 0 writes). Recursive: every
    /// command accepts it. Implied when an MPI launcher started this process as one of several ranks.
    /// </summary>
    public static Option<bool> Distributed() => new("--distributed")
    {
        Description = "Run as one rank of an MPI job (mpirun -np N topiary ... --distributed): gradients summed across ranks, rank 0 writes. " +
            "Implied under mpirun/srun with more than one rank.",
        Recursive = true,
    };

    /// <summary>Applies <c>--threads</c>.</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is null) return;
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1; got {threads}.");
        Tensors.Threading.MaxDegreeOfParallelism = threads.Value;
    }
}
