// `topiary reproduce <paper>`: runs a paper's experiment end to end and prints our numbers beside
// the paper's. Each paper is a subcommand; `reproduce all` runs every one into one directory with an index.
using System.CommandLine;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce</c> command group.</summary>
public static class ReproduceCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Build()
    {
        var cmd = new Command("reproduce", "Reproduce a paper's experiment and print our numbers beside the paper's.");
        cmd.Subcommands.Add(Han2015Command.Build());
        cmd.Subcommands.Add(DeepCompressionCommand.Build());
        cmd.Subcommands.Add(ScalpelCommand.Build());
        cmd.Subcommands.Add(Yang2017Command.Build());
        cmd.Subcommands.Add(Mao2017Command.Build());
        cmd.Subcommands.Add(StructuredCommand.Build());
        cmd.Subcommands.Add(ReproduceAllCommand.Build());
        return cmd;
    }
}
