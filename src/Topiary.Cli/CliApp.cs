// CliApp: builds the command tree and maps failures to exit codes and clear messages.
// Exit codes: 0 success, 1 failure while running, 2 bad input (arguments, files), 130 cancelled (SIGINT or SIGTERM).
// Every failure — in building the commands, parsing, or a command body — ends as one line on stderr and one of these
// codes (CliFailure maps exceptions); no exception escapes as an unhandled crash.
// Distributed (--distributed, or started by mpirun/srun as one of several ranks): DistributedSession joins the MPI job
// before the command runs; any failure on any rank aborts the whole job with that rank's exit code.
// Signals: the first SIGINT (Ctrl+C) or SIGTERM cancels the token every command receives; the command stops at its
// next check (a training batch, a pruning step), writes nothing further, and exits with 130 — the last checkpoint,
// written atomically after every epoch or round, stays on disk for --resume. A second signal terminates at once.
// (System.CommandLine's own handling is switched off: it registers its handlers only when an action returns its
// Task, which for our synchronous command bodies is after the whole job, and after its timeout it would return while
// the command is still writing.)
using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;
using Topiary.Cli.Commands;

namespace Topiary.Cli;

/// <summary>The topiary command-line application.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input (unknown model, corrupt or missing file, invalid option).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code for a failure during the run.</summary>
    public const int Failure = 1;

    /// <summary>Exit code when cancelled (Ctrl+C / SIGINT, or SIGTERM).</summary>
    public const int Cancelled = 130;

    /// <summary>Builds the root command.</summary>
    public static RootCommand BuildRoot() =>
        new RootCommand("Topiary: train, prune, compress and run neural networks on the CPU.")
        {
            CommonOptions.Distributed(), CommonOptions.MicroBatches(),
            TrainCommand.Build(), EvaluateCommand.Build(), PredictCommand.Build(),
            DemoCommand.Build(), ReproduceCommand.Build(),
            SensitivityCommand.Build(), PruneCommand.Build(), RunCommand.Build(),
            CompressCommand.Build(), CompressCommand.BuildDecompress(),
            OnnxCommands.BuildImport(), OnnxCommands.BuildExport(),
            BenchCommand.Build(), CrossoverCommand.Build(), EnergyCommand.Build(), MemrefsCommand.Build(),
        };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    /// <remarks>Never throws: an exception from building the command tree, parsing or a command body is reported on one
    /// line and mapped to an exit code by <see cref="CliFailure"/>.</remarks>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var parse = BuildRoot().Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) Error(e.Message);
                Console.Error.WriteLine("Run 'topiary --help' for usage.");
                return BadInput;
            }
            using var cancel = new CancellationTokenSource();
            using var sigint = Register(PosixSignal.SIGINT, cancel);
            using var sigterm = Register(PosixSignal.SIGTERM, cancel);
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            using var microBatches = CommonOptions.ApplyMicroBatches(parse.GetValue<int?>("--micro-batches"));
            using var session = DistributedSession.Start(parse.GetValue<bool>("--distributed"));
            int code = await parse.InvokeAsync(config, cancel.Token).ConfigureAwait(false);
            return session?.Finish(code) ?? code;
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    // The first signal cancels (and keeps the process alive so the command can stop cleanly); a second one is left to
    // the default action, which terminates the process.
    private static PosixSignalRegistration? Register(PosixSignal signal, CancellationTokenSource cancel)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, context =>
            {
                if (cancel.IsCancellationRequested) return;
                context.Cancel = true;
                cancel.Cancel();
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Runs a command body, turning any exception into one line on stderr and an exit code (see <see cref="CliFailure"/>).</summary>
    public static async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    private static int Report(Exception e)
    {
        var (code, message) = CliFailure.Classify(e);
        try
        {
            Error(message);
            if (CliFailure.Debug) Console.Error.WriteLine(e.ToString());
        }
        catch (IOException)
        {
            // stderr itself failed (a closed pipe): the exit code still tells.
        }
        return code;
    }

    // One line: coloured on a terminal; plain and never wrapped when stderr is redirected (a log, a test, a pipe).
    private static void Error(string message)
    {
        if (Topiary.Distributed.DataParallel.Current is { Size: > 1, Rank: var rank }) message = $"rank {rank}: {message}";
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"error: {message}");
            return;
        }
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
