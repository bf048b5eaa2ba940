// `topiary reproduce <paper>`: runs a paper's experiment end to end and prints our numbers beside the paper's. Papers
// registers each paper once (ReproduceTarget: its options, experiment, view, outputs and index summary — the views are
// <Paper>View) and each becomes a subcommand; `reproduce all` runs every one of them into one directory with an index;
// `reproduce structured` is the channel-pruning study.
using System.CommandLine;
using Topiary.Compression.Quantization;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce</c> command group.</summary>
public static class ReproduceCommand
{
    /// <summary>The registered papers, in the order <c>reproduce all</c> runs them.</summary>
    public static IReadOnlyList<IReproduceTarget> Papers { get; } =
    [
        new ReproduceTarget<Han2015Options, Han2015Report>("han2015", "Han et al. 2015: iterative magnitude pruning with retraining.",
            "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch.",
            (model, resume) => new Han2015Options { Model = model, WorkDirectory = "", Resume = resume }, Han2015.Run, Han2015View.Print, Han2015View.Summary)
        {
            Models = ["lenet-300-100", "lenet-5"],
            Outputs = Han2015View.Figures,
        },
        // Under `reproduce all` it starts from its han2015 sibling's reference and pruning checkpoints (the schedule is the
        // same; the checkpoints carry their options, so a mismatch is refused).
        new ReproduceTarget<DeepCompressionOptions, DeepCompressionReport>("deep-compression",
            "Deep Compression: pruning, trained quantization and Huffman coding into a .tpz container.", "A smoke run on a subset with a short schedule.",
            (model, resume) => new DeepCompressionOptions { Pruning = new Han2015Options { Model = model, WorkDirectory = "", Resume = resume, Sensitivity = false } },
            DeepCompression.Run, DeepCompressionView.Print, DeepCompressionView.Summary)
        {
            Models = ["lenet-300-100", "lenet-5"],
            Place = (o, dir) => o with { Pruning = o.Pruning with { WorkDirectory = dir } },
            Quick = o => o.Quick(),
            Flags = cmd =>
            {
                var bits = new Option<string?>("--bits") { Description = "Weight bits, e.g. conv=8,fc=5 or fc1=6 (default: the paper's)." };
                var indexBits = new Option<string?>("--index-bits") { Description = "Relative-index bits (default: per layer, the width that minimises the coded size)." };
                cmd.Options.Add(bits);
                cmd.Options.Add(indexBits);
                return (parse, o) => o with
                {
                    WeightBits = parse.GetValue(bits) is { } b ? BitsRule.Parse(b, BitsRule.Paper(o.Pruning.Model)) : null,
                    IndexBits = parse.GetValue(indexBits) is { } i ? BitsRule.Parse(i, new BitsRule(8, 5)) : null,
                };
            },
            Outputs = DeepCompressionView.Outputs,
            StartsFrom = ("han2015", ["reference.ckpt", "pruning.ckpt"]),
        },
        new ReproduceTarget<ScalpelOptions, ScalpelReport>("scalpel", "Scalpel (ISCA 2017): pruning chosen by hardware parallelism vs traditional pruning.",
            "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch, short node pruning.",
            (model, resume) => new ScalpelOptions { Model = model, WorkDirectory = "", Resume = resume }, Experiments.Scalpel.Run, ScalpelView.Print, ScalpelView.Summary)
        {
            Models = ["lenet-300-100", "lenet-5"],
            Outputs = ScalpelView.Outputs,
        },
        new ReproduceTarget<Mao2017Options, Mao2017Report>("mao2017", "Mao et al. 2017: pruning granularity (fine, vector, kernel, filter) vs accuracy and storage.",
            "Smoke run: 2 densities, 1 reference epoch and 1 retraining epoch on 10k images.",
            (model, resume) => new Mao2017Options { Model = model, WorkDirectory = "", Resume = resume }, Mao2017.Run, Mao2017View.Print, Mao2017View.Summary)
        {
            DefaultModel = "lenet-5",
            AllModels = ["lenet-5"],
            Label = (o, model) => $"mao2017-{model}-{o.Dataset}",
            Outputs = Mao2017View.Outputs,
        },
        new ReproduceTarget<Yang2017Options, Yang2017Report>("yang2017", "Yang et al. 2017: energy-aware pruning vs magnitude pruning at matched accuracy (Eyeriss energy).",
            "A smoke run: 1 reference epoch on 5k images, small samples, coarse steps.",
            (model, resume) => new Yang2017Options { Model = model, WorkDirectory = "", Resume = resume }, Yang2017.Run, Yang2017View.Print, Yang2017View.Summary)
        {
            Models = ["lenet-5", "convnet"],
            AllModels = ["lenet-5"],
        },
    ];

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
