// `topiary reproduce <paper>`: runs a paper's experiment end to end and prints our numbers beside
// the paper's. Each registered paper (Papers) is a subcommand built by its ReproduceTarget; `reproduce all`
// runs every one of them into one directory with an index; `reproduce structured` is the channel-pruning study.
using System.CommandLine;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce</c> command group.</summary>
public static class ReproduceCommand
{
    /// <summary>The registered papers, in the order <c>reproduce all</c> runs them.</summary>
    public static IReadOnlyList<IReproduceTarget> Papers { get; } =
        [Han2015Target.Target, DeepCompressionTarget.Target, ScalpelTarget.Target, Mao2017Target.Target, Yang2017Target.Target];

    /// <summary>Builds the command group.</summary>
    public static Command Build()
    {
        var cmd = new Command("reproduce", "Reproduce a paper's experiment and print our numbers beside the paper's.");
        foreach (var paper in Papers) cmd.Subcommands.Add(paper.Build());
        cmd.Subcommands.Add(StructuredCommand.Build());
        cmd.Subcommands.Add(ReproduceAllCommand.Build());
        return cmd;
    }
}
