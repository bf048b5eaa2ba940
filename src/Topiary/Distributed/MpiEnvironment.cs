// MpiEnvironment: what the launcher told this process through its environment, read before MPI is loaded. mpirun (Open
// MPI) sets OMPI_COMM_WORLD_SIZE / _RANK / _LOCAL_SIZE; PMIx launchers (srun --mpi=pmix, Open MPI 5) set PMIX_RANK;
// PMI-1/2 launchers (srun --mpi=pmi2, MPICH's Hydra) set PMI_SIZE / PMI_RANK. A process started by a launcher with more
// than one rank is a rank of a distributed job even without --distributed: it must not write the same files as its peers.
using System.Globalization;

namespace Topiary.Distributed;

/// <summary>Launcher environment variables of an MPI job.</summary>
public static class MpiEnvironment
{
    /// <summary>The job size the launcher announced, or null when this process was not started by an MPI launcher.</summary>
    public static int? LaunchedSize(Func<string, string?>? getVariable = null)
    {
        var get = getVariable ?? Environment.GetEnvironmentVariable;
        foreach (string name in (string[])["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"])
            if (Parse(get(name)) is int size) return size;
        return get("PMIX_RANK") is not null ? 0 : null; // PMIx without a size variable: a launcher is there, size unknown
    }

    /// <summary>True when a launcher started this process as one rank of a job of two or more (or of unknown size).</summary>
    public static bool IsLaunchedJob(Func<string, string?>? getVariable = null) => LaunchedSize(getVariable) is int s && s != 1;

    /// <summary>Ranks on this node (OMPI_COMM_WORLD_LOCAL_SIZE, or MPI_LOCALNRANKS), or 1 when unknown.</summary>
    public static int LocalSize(Func<string, string?>? getVariable = null)
    {
        var get = getVariable ?? Environment.GetEnvironmentVariable;
        return Parse(get("OMPI_COMM_WORLD_LOCAL_SIZE")) ?? Parse(get("MPI_LOCALNRANKS")) ?? Parse(get("SLURM_NTASKS_PER_NODE")) ?? 1;
    }

    private static int? Parse(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v : null;
}
