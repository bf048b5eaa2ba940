// Scalpel: the "Customizing DNN Pruning to the Underlying Hardware Parallelism" experiment (Yu et al.,
// ISCA 2017) on one zoo model:
//   1. train (or resume) the dense reference;
//   2. traditional pruning: Han et al.'s element-wise iterative pruning to the Han2015 default targets;
//   3. one Scalpel variant per platform, by ScalpelSelection: node pruning (NodePruning) on the layers it picks,
//      then SIMD-aware pruning (aligned groups, RMS score, the same iterative schedule and per-layer sparsity as
//      the traditional run) on the others;
//   4. per platform, dense vs traditional vs Scalpel: the host is MEASURED (compiled inference plans at batch 1,
//      one thread, timed interleaved; the dense baseline is the faster of Module.Forward and the all-dense plan);
//      the Cortex-M4 and the GPU are MODELLED (CortexM4CycleModel, GpuRooflineModel) and their assumptions are
//      part of the report. Traditional pruning runs its pruned layers as CSR (16-bit indices on the M4), Scalpel
//      its SIMD-aware layers as SIMD-group CSR and its node-pruned layers as smaller dense layers.
// Every variant is saved in the work directory (dense.safetensors, traditional.safetensors,
// scalpel-<platform>.safetensors); with Resume, finished variants are loaded instead of recomputed and the
// schedules continue from their checkpoints.
using System.Diagnostics;
using Topiary.Data;
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Node;
using Topiary.Pruning.Scalpel;
using Topiary.Settings;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>Options of the Scalpel reproduction (the weight-pruning schedules' settings: <see cref="HanScheduleOptions"/>).</summary>
public sealed record ScalpelOptions : HanScheduleOptions
{
    /// <summary>Zoo model: lenet-300-100 or lenet-5.</summary>
    public override required string Model { get; init; }

    /// <summary>Node-pruning settings (penalty stages, retraining); the layer list is set per platform. Null = <see cref="NodePruningOptions.Defaults"/>.</summary>
    public NodePruningOptions? Node { get; init; }

    /// <summary>SIMD group width on the host (default: ScalpelSelection.DefaultGroupWidth).</summary>
    [Setting("host_group_width", "SIMD group width on the host (default: float lanes capped at 8).", Min = 1)]
    public int? HostGroupWidth { get; init; }

    /// <summary>Platforms to compare (cortex-m4, host, gpu).</summary>
    [Setting("platforms", "Comma-separated platforms: cortex-m4, host, gpu.", ChoicesFrom = nameof(PlatformNames))]
    public NameList Platforms { get; init; } = new(["cortex-m4", "host", "gpu"]);

    /// <summary>Host timing budget in seconds (all contenders timed interleaved within it).</summary>
    [Setting("latency_seconds", "Host timing budget (all contenders interleaved).", Min = 0, MinExclusive = true)]
    public double LatencySeconds { get; init; } = 3.0;

    /// <summary>The platforms there are profiles of.</summary>
    public static IReadOnlyList<string> PlatformNames => HardwareProfile.KnownNames;

    /// <summary>The Han 2015 quick schedule and a short node pruning (2 penalty stages of 1 epoch, 1 retraining epoch).</summary>
    public override ScalpelOptions Quick() => (ScalpelOptions)base.Quick() with
    {
        Node = NodePruningOptions.Defaults(Model) with { Penalties = [0.01f, 0.02f], EpochsPerStage = 1, RetrainEpochs = 1 },
    };
}

/// <summary>Runs the Scalpel reproduction.</summary>
public static class Scalpel
{
    /// <summary>Runs the experiment.</summary>
    /// <exception cref="ArgumentException">Unsupported model or platform, or invalid options.</exception>
    public static ScalpelReport Run(ScalpelOptions options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var targets = Han2015.DefaultTargets(options.Model);
        var profiles = options.Platforms.Select(p => HardwareProfile.ByName(p)).ToArray();
        var total = Stopwatch.StartNew();
        var info = ModelZoo.Get(options.Model);
        var reference = ExperimentStages.Reference(options, "mnist", progress, messages, cancellationToken);
        string densePath = Path.Combine(options.WorkDirectory, "dense.safetensors");
        ModelFile.Save(densePath, info.Name, reference.Network);
        var (train, test) = ExperimentStages.Data(options, "mnist", messages, cancellationToken);
        var denseLayers = PrunableLayer.Find(reference.Network);
        var variants = new List<ScalpelVariant> { Summarise("dense", "", reference.Network, denseLayers, test, _ => "none", 0, cancellationToken) };
        var networks = new Dictionary<string, Module>(StringComparer.Ordinal) { ["dense"] = reference.Network };

        // Traditional pruning: Han et al., element-wise, every layer to the Han2015 default target, stored as CSR.
        var watch = Stopwatch.StartNew();
        networks["traditional"] = Variant(options, densePath, "traditional", messages, model =>
            IterativePruning.Run(model, info.Recipe, train, test, options.Schedule(targets, "traditional"), progress, cancellationToken));
        variants.Add(Summarise("traditional", "", networks["traditional"], denseLayers, test, _ => "element", watch.Elapsed.TotalSeconds, cancellationToken));

        foreach (var profile in profiles)
        {
            int? width = profile.Name == "host" ? options.HostGroupWidth : null;
            var choices = ScalpelSelection.Choose(profile, denseLayers, width).ToDictionary(c => c.Layer, StringComparer.Ordinal);
            string name = $"scalpel-{profile.Name}";
            watch.Restart();
            networks[name] = Variant(options, densePath, name, messages, m => PruneForPlatform(m, choices.Values.ToArray(), options, info.Recipe, train, test,
                targets, name, progress, messages, cancellationToken));
            variants.Add(Summarise(name, profile.Name, networks[name], denseLayers, test, layer => choices.GetValueOrDefault(layer) switch
            {
                { Technique: ScalpelTechnique.SimdAware } c => $"simd-aware (groups of {c.GroupWidth})",
                { Technique: ScalpelTechnique.NodePruning } => "node",
                _ => "none",
            }, watch.Elapsed.TotalSeconds, cancellationToken));
        }

        var input = test.Images.AsSpan(0, test.ImageSize).ToArray();
        var host = profiles.FirstOrDefault(p => p.Name == "host") ?? HostProfile.Detect();
        var platforms = new List<ScalpelPlatform>();
        foreach (var profile in profiles)
        {
            messages?.Report($"costing {profile.Name}{(profile.Measured ? " (measuring)" : " (modelled)")}");
            var tradError = variants.Single(v => v.Name == "traditional").TestError;
            var scalpelError = variants.Single(v => v.Name == $"scalpel-{profile.Name}").TestError;
            platforms.Add(ScalpelCosting.Evaluate(profile, info.InputShape, input, networks["dense"], networks["traditional"], networks[$"scalpel-{profile.Name}"],
                tradError, scalpelError, options.LatencySeconds));
        }
        return new ScalpelReport(info.Name, options.Seed, host, variants, platforms,
            ScalpelPaper.NodeStructures.GetValueOrDefault(info.Name), total.Elapsed.TotalSeconds);
    }

    private static void PruneForPlatform(Module model, IReadOnlyList<ScalpelLayerChoice> choices, ScalpelOptions options, TrainingRecipe recipe,
        ImageDataset train, ImageDataset test, IReadOnlyDictionary<string, LayerTarget> targets, string name,
        IProgress<TrainingProgress>? progress, IProgress<string>? messages, CancellationToken ct) =>
        ScalpelPruning.Run(model, recipe, train, test, choices, options.Schedule(targets, name),
            (options.Node ?? NodePruningOptions.Defaults(options.Model)) with { Seed = options.Seed }, progress, messages is null ? null : new Prefixed(messages, name), ct);

    // Loads the dense model, prunes it with `prune` and saves it — or, when resuming, loads the finished variant.
    private static Module Variant(ScalpelOptions options, string densePath, string name, IProgress<string>? messages, Action<Module> prune)
    {
        string path = Path.Combine(options.WorkDirectory, name + ".safetensors");
        if (options.Resume && File.Exists(path))
        {
            messages?.Report($"{name}: reusing {path}");
            return ModelFile.Load(path).Network;
        }
        var loaded = ModelFile.Load(densePath);
        prune(loaded.Network);
        PruningState.MakePermanent(loaded.Network);
        ModelFile.Save(path, loaded.Name, loaded.Network);
        return loaded.Network;
    }

    private static ScalpelVariant Summarise(string name, string platform, Module model, IReadOnlyList<PrunableLayer> dense, ImageDataset test,
        Func<string, string> techniqueOf, double seconds, CancellationToken ct)
    {
        var rows = PrunableLayer.Find(model).Select(l => new ScalpelVariantLayer(l.Name, l.Kind.ToString().ToLowerInvariant(), techniqueOf(l.Name),
            dense.FirstOrDefault(x => x.Name == l.Name)?.Weight.Value.Dim(0) ?? l.Weight.Value.Dim(0), l.Weight.Value.Dim(0), l.Weight.Length,
            l.Weight.Value.Data.LongCount(v => v != 0))).ToArray();
        double error = TrainingRun.Evaluate(model, test, ct).Error;
        return new ScalpelVariant(name, platform, error, model.ParameterCount(), PruningState.NonZeroParameters(model), rows, seconds);
    }

    private sealed class Prefixed(IProgress<string> inner, string prefix) : IProgress<string>
    {
        public void Report(string value) => inner.Report($"{prefix}: {value}");
    }
}
