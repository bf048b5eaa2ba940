// ReproduceTarget: one paper of `topiary reproduce`, registered once — its name and description, its options record
// (whose [Setting] properties become the command's flags through SettingFlags, defaults from the record's initializers,
// quick mode from the library), the models it supports and those `reproduce all` runs, the experiment's Run, its report
// view (the tables it prints), its outputs (plots and extra files) and its summary for the `reproduce all` index.
// Build makes the `reproduce <paper>` command from a registration; Execute is the one body every paper runs through
// (progress bars → run → tables → outputs → report.json), from its command and from `reproduce all` alike.
using System.CommandLine;
using System.Diagnostics;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>A registered <c>reproduce</c> target, whatever its options and report types.</summary>
public interface IReproduceTarget
{
    /// <summary>Subcommand name, e.g. <c>han2015</c>.</summary>
    string Name { get; }

    /// <summary>The models <c>reproduce all</c> runs it on (targets <c>&lt;name&gt;-&lt;model&gt;</c>; default: <c>Models</c>).</summary>
    IReadOnlyList<string> AllModels { get; }

    /// <summary>The <c>reproduce &lt;name&gt;</c> command.</summary>
    Command Build();

    /// <summary>Runs it on <paramref name="model"/> into <c>&lt;directory&gt;/&lt;name&gt;-&lt;model&gt;</c> with the default settings
    /// (or the quick ones) and returns the target's summary for the index.</summary>
    ReproduceTargetSummary RunInto(string directory, string model, bool quick, bool resume, CancellationToken cancellationToken);
}

/// <summary>The registration of one paper reproduction.</summary>
/// <typeparam name="TOptions">The experiment's options record (its settings marked with [Setting]).</typeparam>
/// <typeparam name="TReport">The experiment's report.</typeparam>
/// <param name="name">Subcommand name.</param>
/// <param name="description">One line for the command's help.</param>
/// <param name="quickHelp">What <c>--quick</c> does, for the help.</param>
/// <param name="create">The options for a model (and resume), in a work directory set later by <see cref="Place"/>.</param>
/// <param name="run">The experiment.</param>
/// <param name="view">The report view: prints the report's tables.</param>
/// <param name="summary">The summary for the <c>reproduce all</c> index (target name, report, seconds).</param>
public sealed class ReproduceTarget<TOptions, TReport>(string name, string description, string quickHelp, Func<string, bool, TOptions> create,
    Func<TOptions, IProgress<TrainingProgress>?, IProgress<string>?, CancellationToken, TReport> run, Action<TReport> view,
    Func<string, TReport, double, ReproduceTargetSummary> summary) : IReproduceTarget where TOptions : class
{
    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <summary>The models <c>--model</c> accepts (null: any zoo model).</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>The model when <c>--model</c> is not given (null: the flag is required).</summary>
    public string? DefaultModel { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<string> AllModels { get => field ?? Models ?? []; init; }

    /// <summary>The options for a model (and resume), in a work directory set later by <see cref="Place"/>.</summary>
    public Func<string, bool, TOptions> Create { get; } = create;

    /// <summary>The options in a work directory (default: <see cref="ExperimentOptions.WorkDirectory"/> set).</summary>
    public Func<TOptions, string, TOptions> Place { get; init; } = (o, dir) => (TOptions)(object)(((ExperimentOptions)(object)o) with { WorkDirectory = dir });

    /// <summary>The options in quick mode (default: <see cref="ExperimentOptions.Quick"/>).</summary>
    public Func<TOptions, TOptions> Quick { get; init; } = o => (TOptions)(object)((ExperimentOptions)(object)o).Quick();

    /// <summary>The default work directory's name (default: <c>&lt;name&gt;-&lt;model&gt;</c>).</summary>
    public Func<TOptions, string, string>? Label { get; init; }

    /// <summary>Flags that are not settings: adds them to the command and returns how they change the options.</summary>
    public Func<Command, Func<ParseResult, TOptions, TOptions>>? Flags { get; init; }

    /// <summary>Writes the outputs besides report.json into the work directory; returns their file names.</summary>
    public Func<string, TReport, IEnumerable<string>>? Outputs { get; init; }

    /// <summary>Under <c>reproduce all</c>: the sibling target kind whose finished checkpoints this one starts from, and the files.</summary>
    public (string Target, string[] Files)? StartsFrom { get; init; }

    /// <inheritdoc/>
    public Command Build()
    {
        var model = new Option<string>("--model")
        {
            Description = Models is null ? "Zoo model." : string.Join(" or ", Models) + ".",
            Required = DefaultModel is null,
        };
        if (DefaultModel is { } m) model.DefaultValueFactory = _ => m;
        var outDir = new Option<string?>("--out") { Description = $"Work directory for checkpoints, outputs and the report (default: runs/{Name}-<model>[-quick])." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the work directory." };
        var quick = new Option<bool>("--quick") { Description = quickHelp };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command(Name, description) { model };
        var settings = new SettingFlags<TOptions>(cmd, Create(DefaultModel ?? AllModels[0], false));
        var extra = Flags?.Invoke(cmd);
        foreach (var option in new Option[] { outDir, resume, quick, json, threads }) cmd.Options.Add(option);
        return cmd.Runs((parse, ct) =>
        {
            string name = Supported(parse.GetValue(model)!);
            var options = settings.Bind(parse, Create(name, parse.GetValue(resume)));
            if (extra is not null) options = extra(parse, options);
            if (parse.GetValue(quick)) options = Quick(options);
            string work = parse.GetValue(outDir) ?? Path.Combine("runs", (Label?.Invoke(options, name) ?? $"{Name}-{name}") + (parse.GetValue(quick) ? "-quick" : ""));
            Execute(Place(options, work), name, work, parse.GetValue(json), ct);
            return 0;
        }, threads);
    }

    /// <summary>Runs the experiment with progress bars, prints its view, writes its outputs and report.json into
    /// <paramref name="work"/> (and the report to <paramref name="json"/> when given); returns the report.</summary>
    public TReport Execute(TOptions options, string model, string work, string? json, CancellationToken cancellationToken)
    {
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"{Name} {model}", p => run(options, p, messages, cancellationToken));
        view(report);
        var files = Outputs?.Invoke(work, report).ToList() ?? [];
        JsonReport.WriteRun(work, json, report, files.Count > 0 ? string.Join(", ", [.. files, "report.json"]) : "");
        return report;
    }

    /// <inheritdoc/>
    public ReproduceTargetSummary RunInto(string directory, string model, bool quick, bool resume, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string target = $"{Name}-{model}", work = Path.Combine(directory, target);
        if (StartsFrom is var (sibling, files) && ReproduceAllCommand.CopyCheckpoints(Path.Combine(directory, $"{sibling}-{model}"), work, files))
            resume = true;
        var options = Create(Supported(model), resume);
        var report = Execute(Place(quick ? Quick(options) : options, work), model, work, null, cancellationToken);
        return summary(target, report, watch.Elapsed.TotalSeconds);
    }

    // The zoo name of a model this target supports.
    private string Supported(string model)
    {
        string name = ModelZoo.Get(model).Name;
        if (Models is not null && !Models.Contains(name))
            throw new ArgumentException($"reproduce {Name} supports {string.Join(" and ", Models)}; got '{name}'.");
        return name;
    }
}
