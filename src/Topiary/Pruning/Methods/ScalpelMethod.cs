// ScalpelMethod: Scalpel (Yu et al., ISCA 2017) as a registered method — the target hardware's parallelism picks
// the technique per layer (ScalpelSelection): node pruning (whole neurons/filters removed, NodePruning) and/or
// SIMD-aware pruning (aligned groups of the SIMD width scored by RMS, under the shared one-shot or iterative
// schedule, ScalpelPruning). Targets are per layer and apply to the SIMD-aware layers only.
using Topiary.Hardware;
using Topiary.Nn;
using Topiary.Pruning.Node;
using Topiary.Pruning.Scalpel;
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>Settings of Scalpel.</summary>
public sealed record ScalpelSettings
{
    /// <summary>Target hardware (host, cortex-m4, gpu). Key <c>hardware</c>, default host.</summary>
    [Setting("hardware", "Target hardware: host (SIMD-aware FC + node-pruned conv), cortex-m4 (SIMD-aware everywhere, groups of 2) or gpu (node pruning only).",
        ChoicesFrom = nameof(Hardwares))]
    public string Hardware { get; init; } = "host";

    /// <summary>SIMD group width of the SIMD-aware layers; null = the hardware's default. Key <c>simd_width</c>.</summary>
    [Setting("simd_width", "SIMD group width of the SIMD-aware layers: 2, 4, 8 or 16 (default: 2 on cortex-m4, the host's float lanes capped at 8).",
        Min = 1, Max = 1024, OneOf = new[] { 2, 4, 8, 16 })]
    public int? SimdWidth { get; init; }

    /// <summary>The hardware names <see cref="Hardware"/> takes.</summary>
    public static IReadOnlyList<string> Hardwares => HardwareProfile.KnownNames;

    internal static void Check(ScalpelSettings s, SharedSettings shared)
    {
        if (shared.GlobalScope)
            throw new SettingValueException("scope", "method scalpel prunes each SIMD-aware layer to its own target: scope must be layer");
        if (s.Hardware == "gpu" && shared.TargetCount > 0)
            throw new SettingValueException("targets", "'targets' is not used on hardware gpu: Scalpel only node-prunes there (no weight targets)");
    }
}

/// <summary>Scalpel's per-layer node and SIMD-aware pruning.</summary>
public sealed class ScalpelMethod(ScalpelSettings settings) : IPruningMethod
{
    /// <summary>Why magnitude's settings do not apply to Scalpel.</summary>
    internal static readonly IReadOnlyDictionary<string, string> ForeignKeyNotes = new Dictionary<string, string>
    {
        ["granularity"] = " (Scalpel prunes aligned SIMD groups by RMS, or whole nodes, as the hardware dictates)",
        ["criterion"] = " (Scalpel prunes aligned SIMD groups by RMS, or whole nodes, as the hardware dictates)",
    };

    /// <summary>The technique per layer of <paramref name="model"/> on the settings' hardware.</summary>
    public IReadOnlyList<ScalpelLayerChoice> Choices(Module model) =>
        ScalpelSelection.Choose(HardwareProfile.ByName(settings.Hardware), PrunableLayer.Find(model), settings.SimdWidth);

    /// <inheritdoc/>
    public void CheckPlan(Module model, string modelName, int[] inputShape, PruningSchedule schedule, bool compressing)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var choices = Choices(model);
        var node = choices.Where(x => x.Technique == ScalpelTechnique.NodePruning).Select(x => x.Layer).ToArray();
        if (compressing && node.Length > 0)
            throw new ArgumentException($"compress: Scalpel on {settings.Hardware} node-prunes {string.Join(", ", node)}, which shrinks those layers; the .tpz container holds zoo shapes only. Drop 'compress' or target cortex-m4.");
        var simd = choices.Where(x => x.Technique == ScalpelTechnique.SimdAware).Select(x => x.Layer).ToArray();
        foreach (string target in schedule.Targets.Keys.Where(k => !simd.Contains(k)))
        {
            var technique = choices.First(x => x.Layer == target).Technique;
            throw new ArgumentException($"prune.targets: Scalpel on {settings.Hardware} gives '{target}' {technique}, not SIMD-aware pruning, so its target would be ignored; " +
                $"give targets only for {(simd.Length > 0 ? string.Join(", ", simd) : "no layer")}.");
        }
    }

    /// <inheritdoc/>
    public PruningOutcome Prune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = context;
        var choices = Choices(c.Model);
        c.Messages?.Report($"Scalpel for {settings.Hardware}: {string.Join(", ", choices.Select(x => $"{x.Layer} {x.Technique}{(x.GroupWidth > 0 ? $"/{x.GroupWidth}" : "")}"))}");
        var node = NodePruningOptions.Defaults(c.ModelName) with { Seed = c.Schedule.Seed };
        var result = ScalpelPruning.Run(c.Model, c.Training, c.Train, c.Test, choices, c.Schedule.Iterative(MagnitudePruner.Elementwise), node,
            c.Progress, c.Messages, c.CancellationToken);
        return new PruningOutcome($"scalpel/{settings.Hardware}", result, c.Model);
    }
}
