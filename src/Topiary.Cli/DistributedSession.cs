// DistributedSession: the CLI side of `--distributed`. Started before the command runs: loads and initialises Open MPI
// (a clear error, exit 2, when it is missing), makes MPI_COMM_WORLD the ambient communicator (Topiary.Distributed.
// DataParallel), gives each rank its share of the node's cores unless --threads says otherwise, and silences standard
// output on ranks other than 0 (rank 0 alone prints tables and progress; every rank keeps stderr for its errors).
// Finish: on success MPI_Finalize; on failure MPI_Abort with the exit code, so that peers blocked in a collective
// (waiting for this rank) end too instead of hanging.
using Spectre.Console;
using Topiary.Distributed;

namespace Topiary.Cli;

/// <summary>One process's membership of an MPI job for the duration of a command.</summary>
public sealed class DistributedSession : IDisposable
{
    private readonly MpiCommunicator _communicator;
    private readonly IDisposable _scope;
    private bool _done;

    private DistributedSession(MpiCommunicator communicator)
    {
        _communicator = communicator;
        _scope = DataParallel.Use(communicator);
    }

    /// <summary>This process's rank.</summary>
    public int Rank => _communicator.Rank;

    /// <summary>Number of ranks.</summary>
    public int Size => _communicator.Size;

    /// <summary>
    /// Joins the MPI job when <paramref name="requested"/> (<c>--distributed</c>) or when a launcher started this process as
    /// one of several ranks; returns null otherwise (an ordinary single-process run).
    /// </summary>
    /// <exception cref="MpiUnavailableException">No Open MPI library could be loaded.</exception>
    /// <exception cref="IOException">MPI failed to initialise.</exception>
    public static DistributedSession? Start(bool requested)
    {
        if (!requested && !MpiEnvironment.IsLaunchedJob()) return null;
        var session = new DistributedSession(MpiCommunicator.Initialize());
        int localRanks = Math.Max(1, MpiEnvironment.LocalSize());
        Tensors.Threading.MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / localRanks); // --threads overrides
        if (session.Rank != 0)
        {
            Console.SetOut(TextWriter.Null);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(TextWriter.Null), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No,
            });
        }
        else
        {
            AnsiConsole.MarkupLine($"[grey]distributed: {Markup.Escape(session._communicator.Description)}, " +
                $"{Tensors.Threading.MaxDegreeOfParallelism} thread(s) per rank by default; rank 0 writes[/]");
        }
        return session;
    }

    /// <summary>Ends the session with the command's exit code: finalises MPI on success, aborts the job otherwise.</summary>
    public int Finish(int exitCode)
    {
        if (_done) return exitCode;
        _done = true;
        _scope.Dispose();
        if (exitCode != 0 && Size > 1)
        {
            Console.Error.Flush();
            _communicator.Abort(exitCode); // does not return: every rank of the job ends with this code
        }
        _communicator.Dispose();
        return exitCode;
    }

    /// <inheritdoc/>
    public void Dispose() => Finish(0);
}
