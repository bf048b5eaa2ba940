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

    /// <summary>
    /// <c>--micro-batches K</c>: gradient accumulation — every batch (each rank's share) in K parts whose gradients are
    /// added in order. One process with <c>--micro-batches 2</c> trains bit-for-bit like two ranks. Recursive.
    /// </summary>
    public static Option<int?> MicroBatches() => new("--micro-batches")
    {
        Description = "Cut every batch into K parts and add their gradients (gradient accumulation); 1 process with K = 2 takes " +
            "bit-for-bit the steps of 2 ranks.",
        Recursive = true,
    };

    /// <summary>Applies <c>--micro-batches</c> until the returned scope is disposed (null when not given).</summary>
    /// <exception cref="ArgumentException">K below 1.</exception>
    public static IDisposable? ApplyMicroBatches(int? count)
    {
        if (count is null) return null;
        if (count < 1) throw new ArgumentException($"--micro-batches must be at least 1; got {count}.");
        return Topiary.Distributed.DataParallel.UseMicroBatches(count.Value);
    }

    /// <summary>Applies <c>--threads</c>.</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is null) return;
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1; got {threads}.");
        Tensors.Threading.MaxDegreeOfParallelism = threads.Value;
    }
}
