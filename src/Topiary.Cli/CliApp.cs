// CliApp: builds the command tree and maps failures to exit codes and clear messages.
// Exit codes: 0 success, 1 failure while running, 2 bad input (arguments, files), 130 cancelled.
using System.CommandLine;
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

    /// <summary>Exit code when cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    /// <summary>Builds the root command.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Topiary: train, prune, compress and run neural networks on the CPU.");
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(EvaluateCommand.Build());
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(ReproduceCommand.Build());
        root.Subcommands.Add(SensitivityCommand.Build());
        root.Subcommands.Add(PruneCommand.Build());
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(CompressCommand.Build());
        root.Subcommands.Add(CompressCommand.BuildDecompress());
        root.Subcommands.Add(OnnxCommands.BuildImport());
        root.Subcommands.Add(OnnxCommands.BuildExport());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(CrossoverCommand.Build());
        root.Subcommands.Add(EnergyCommand.Build());
        root.Subcommands.Add(MemrefsCommand.Build());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Error(e.Message);
            Console.Error.WriteLine("Run 'topiary --help' for usage.");
            return BadInput;
        }
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(config).ConfigureAwait(false);
    }

    /// <summary>Runs a command body, turning exceptions into a message on stderr and an exit code.</summary>
    public static async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Error("cancelled.");
            return Cancelled;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException
                                       or DirectoryNotFoundException or FormatException)
        {
            Error(e.Message);
            return BadInput;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Error(e.Message);
            return Failure;
        }
    }

    private static void Error(string message)
    {
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
