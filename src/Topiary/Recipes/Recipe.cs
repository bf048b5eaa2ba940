// Recipe: the typed form of a YAML recipe file that drives a whole run (like Distiller / SparseML recipes):
// which model and data, how to train the dense reference, how to prune (any registered method: PruningMethods)
// and retrain, how to compress (Deep Compression's .tpz container) and what to export (ONNX). Records with
// defaults; collections compare by value, so equal recipes are Equal. RecipeLoader validates; these types
// do not re-check values.
//
// Every scalar key is declared once, as a [Setting] on the record that holds it (its initializer is the default):
// the root keys here (model, model_file, dataset, seed, train_limit), train = TrainingRecipe, prune = PruneSpec plus
// the method's own settings record, prune.targets.LAYER = LayerTarget, prune.retrain = RetrainSettings, compress =
// CompressSpec, export = ExportSpec. RecipeLoader, RecipeWriter and the CLI's SettingFlags read them from there;
// what is not one scalar (targets, bits per layer, the method's settings) is read by hand.
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>A whole run: model, data, optional dense training, pruning, optional compression and export.</summary>
public sealed record Recipe
{
    /// <summary>Zoo model name (e.g. <c>lenet-300-100</c>); exactly one of <see cref="Model"/> and <see cref="ModelFile"/> is set.</summary>
    [Setting("model", "Zoo model name (trained first by the train section).")]
    public string? Model { get; init; }

    /// <summary>Path of a trained model file (e.g. <c>.safetensors</c>), as written in the recipe (relative paths are the caller's to resolve).</summary>
    [Setting("model_file", "A trained model file to start from.")]
    public string? ModelFile { get; init; }

    /// <summary>Dataset name: <c>mnist</c> or <c>fashion-mnist</c>. YAML key <c>dataset</c> (required).</summary>
    [Setting("dataset", "Dataset.", ChoicesFrom = nameof(Datasets))]
    public required string Dataset { get; init; }

    /// <summary>Seed of every random choice in the run. YAML key <c>seed</c>, default 1.</summary>
    [Setting("seed", "Seed of every random choice in the run.", Min = 0)]
    public int Seed { get; init; } = 1;

    /// <summary>Use only the first N training images (smoke runs); null = all. YAML key <c>train_limit</c>, ≥ 1.</summary>
    [Setting("train_limit", "Use only the first N training images.", Min = 1)]
    public int? TrainLimit { get; init; }

    /// <summary>Dense reference training (YAML section <c>train</c>); null when the run starts from <see cref="ModelFile"/> without training.</summary>
    public TrainingRecipe? Train { get; init; }

    /// <summary>How to prune. YAML key <c>prune</c> (required).</summary>
    public required PruneSpec Prune { get; init; }

    /// <summary>Deep Compression of the pruned model into a .tpz container; null = no compression. YAML key <c>compress</c>.</summary>
    public CompressSpec? Compress { get; init; }

    /// <summary>ONNX export of the final model; null = no export. YAML key <c>export</c>.</summary>
    public ExportSpec? Export { get; init; }

    /// <summary>The dataset names a recipe accepts.</summary>
    public static IReadOnlyList<string> Datasets => TrainingRun.DatasetNames;
}

/// <summary>Pruning settings (YAML section <c>prune</c>): the method, its own settings and the shared schedule.</summary>
public sealed record PruneSpec
{
    /// <summary>The method's registered name (<see cref="PruningMethods"/>). YAML <c>method</c>, default magnitude.</summary>
    [Setting("method", "The pruning method.", ChoicesFrom = nameof(Methods))]
    public string Method { get; init; } = "magnitude";

    /// <summary>The method's settings record (e.g. <see cref="MagnitudeSettings"/>); its keys are flat keys of the prune section.</summary>
    public object Settings { get; init; } = new MagnitudeSettings();

    /// <summary>Schedule. YAML <c>schedule</c>: one-shot | iterative | agp, default one-shot.</summary>
    [Setting("schedule", "Prune once, in prune/retrain rounds, or by automated gradual pruning.")]
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneShot;

    /// <summary>Prune/retrain rounds, ≥ 1 (exactly 1 for one-shot). YAML <c>rounds</c>, default 1.</summary>
    [Setting("rounds", "Prune/retrain rounds (AGP: epochs = rounds x epochs-per-round).", Min = 1, Max = 10_000)]
    public int Rounds { get; init; } = 1;

    /// <summary>Per-layer targets or one global budget. YAML <c>scope</c>, default layer.</summary>
    [Setting("scope", "Per-layer targets or one global sparsity.")]
    public ScopeKind Scope { get; init; } = ScopeKind.Layer;

    /// <summary>Per-layer targets by layer name (scope layer; non-empty there, empty for global).</summary>
    public RecipeMap<LayerTarget> Targets { get; init; } = RecipeMap<LayerTarget>.Empty;

    /// <summary>Global sparsity in [0, 1) (scope global only). YAML <c>global_sparsity</c>.</summary>
    [Setting("global_sparsity", "One threshold across layers removing this fraction (instead of per-layer targets).", Min = 0, Max = 1, MaxExclusive = true)]
    public double? GlobalSparsity { get; init; }

    /// <summary>Retraining after each round (YAML section <c>prune.retrain</c>); null = not given.</summary>
    public RetrainSettings? Retrain { get; init; }

    /// <summary>The registered method names.</summary>
    public static IReadOnlyList<string> Methods => PruningMethods.Names;

    /// <summary>The settings as <typeparamref name="T"/>, or null when the method's settings are of another type.</summary>
    public T? SettingsAs<T>() where T : class => Settings as T;

    /// <summary>The keys of the prune section <paramref name="m"/> takes: its own settings and the shared parts it uses.</summary>
    internal static IEnumerable<string> KeysOf(PruningMethod m)
    {
        yield return "method";
        foreach (Setting o in m.Options) yield return o.Key;
        if (m.Parts.HasFlag(ScheduleParts.Rounds)) { yield return "schedule"; yield return "rounds"; }
        if (m.Parts.HasFlag(ScheduleParts.Scope)) yield return "scope";
        if (m.Parts.HasFlag(ScheduleParts.Targets)) yield return "targets";
        if (m.Parts.HasFlag(ScheduleParts.Global)) yield return "global_sparsity";
        if (m.Parts.HasFlag(ScheduleParts.Retrain)) yield return "retrain";
    }

    /// <summary>The keys of the retrain section <paramref name="m"/> takes (regularization, freeze, reinitialize, sigma
    /// and s_step only with <see cref="ScheduleParts.RetrainExtras"/>).</summary>
    internal static IEnumerable<string> RetrainKeysOf(PruningMethod m) =>
        Setting.Of(typeof(RetrainSettings)).Select(s => s.Key)
            .Where(k => m.Parts.HasFlag(ScheduleParts.RetrainExtras) || k is "epochs_per_round" or "final_epochs" or "lr_scale");
}

/// <summary>Whether targets are per layer or one global budget.</summary>
public enum ScopeKind
{
    /// <summary>Each layer to its own target (<c>layer</c>).</summary>
    Layer,
    /// <summary>One threshold across all layers (<c>global</c>).</summary>
    Global,
}
