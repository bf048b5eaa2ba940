// RecipeLoader: YAML recipe text -> validated Recipe. Every rejection is a RecipeException naming the
// source, the line and column, and the key: unknown keys (with a "did you mean" suggestion by edit
// distance), wrong types, values out of range, missing required keys, conflicting keys, unknown enum
// names (listing the allowed ones), keys of another pruning method. A present key whose value is
// empty / ~ / null counts as absent.
//
// Rules beyond the per-key types and ranges:
//   exactly one of model / model_file; a zoo model needs a train section (it has no weights otherwise);
//   dataset is mnist or fashion-mnist;
//   prune.method magnitude: granularity, criterion, schedule, rounds, scope, targets | global_sparsity, retrain;
//   prune.method scalpel: hardware, simd_width, schedule (not agp), rounds, targets (scope layer; none on gpu,
//     which only node-prunes), retrain — granularity and criterion are Scalpel's (aligned SIMD groups, RMS);
//   prune.method energy-aware: tolerance, passes, fine_tune_epochs, lr_scale, per_layer_tolerance, min_step,
//     validation_images, sample_images, layers — no targets or schedule (the method finds the densities);
//   prune.scope layer needs prune.targets (non-empty) and forbids global_sparsity; scope global needs
//   global_sparsity and forbids targets; schedule one-shot means rounds 1; agp needs sparsity targets;
//   with a zoo model, every layer name (targets, layers, bits entries) must be one of the model's weight layers.
using System.Globalization;
using Topiary.Models;
using Topiary.Pruning;

namespace Topiary.Recipes;

/// <summary>Loads and validates YAML recipes.</summary>
public static class RecipeLoader
{
    private static readonly string[] RootKeys =
        ["model", "model_file", "dataset", "seed", "train_limit", "train", "prune", "compress", "export"];

    private static readonly string[] TrainKeys =
        ["epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay", "l1", "lr_policy", "gamma", "power", "step_epochs"];

    private static readonly string[] MagnitudeKeys =
        ["method", "granularity", "criterion", "schedule", "rounds", "scope", "targets", "global_sparsity", "retrain"];

    private static readonly string[] ScalpelKeys = ["method", "hardware", "simd_width", "schedule", "rounds", "scope", "targets", "retrain"];

    private static readonly string[] EnergyAwareKeys =
    [
        "method", "tolerance", "passes", "fine_tune_epochs", "lr_scale", "per_layer_tolerance", "min_step", "validation_images",
        "sample_images", "layers",
    ];

    private static readonly string[] ChannelKeys =
    [
        "method", "criterion", "macs_reduction", "channel_sparsity", "round_to", "max_ratio", "ranking", "protect", "bn_penalty",
        "taylor_batches", "schedule", "rounds", "retrain",
    ];

    private static readonly string[] PruneKeys = MagnitudeKeys.Union(ScalpelKeys).Union(EnergyAwareKeys).Union(ChannelKeys).ToArray();

    private static readonly string[] TargetKeys = ["sparsity", "threshold_std"];

    private static readonly string[] RetrainKeys =
        ["epochs_per_round", "final_epochs", "lr_scale", "regularization", "freeze", "reinitialize"];

    private static readonly string[] ChannelRetrainKeys = ["epochs_per_round", "final_epochs", "lr_scale"];

    private static readonly string[] CompressKeys = ["bits", "index_bits", "fine_tune_epochs", "fine_tune_lr_scale", "huffman"];

    private static readonly string[] ExportKeys = ["onnx", "sparse_initializers"];

    private static readonly int[] SimdWidths = [2, 4, 8, 16];

    /// <summary>Reads and validates the recipe file at <paramref name="path"/> (UTF-8).</summary>
    /// <exception cref="RecipeException">The recipe is invalid; the message names the file, line, column and key.</exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static Recipe Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LoadFromString(File.ReadAllText(path), path);
    }

    /// <summary>Validates recipe text; <paramref name="sourceName"/> labels error messages (usually the file path).</summary>
    /// <exception cref="RecipeException">The recipe is invalid; the message names the source, line, column and key.</exception>
    public static Recipe LoadFromString(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        YNode? root = YamlTree.Parse(yaml, sourceName);
        if (root is null || root is YScalar { IsNull: true })
            throw new RecipeException(sourceName, 1, 1, null, "the recipe is empty");
        if (root is not YMapping rootMap)
            throw new RecipeException(sourceName, root.Line, root.Column, null, $"a recipe must be a mapping of keys, got {root.Kind}");

        var top = new Section(sourceName, rootMap, "", RootKeys);
        YScalar? model = top.Scalar("model");
        YScalar? modelFile = top.Scalar("model_file");
        if (model is not null && modelFile is not null)
            throw top.Error(modelFile, "model_file", "'model' and 'model_file' are mutually exclusive: give a zoo name or a file, not both");
        if (model is null && modelFile is null)
            throw top.Error(rootMap, "model", "missing required key 'model' (a zoo name) or 'model_file'");
        string? modelName = model is null ? null : top.String("model");
        if (modelName is not null && !ModelZoo.Names.Contains(modelName, StringComparer.OrdinalIgnoreCase))
            throw top.Error(model!, "model", $"unknown model '{modelName}'; the zoo has {string.Join(", ", ModelZoo.Names)}");
        // With a zoo model every layer name in the recipe can be checked now, at its line.
        var layers = modelName is null ? null : new LayerNames(ModelZoo.Get(modelName).Name);

        string dataset = top.String("dataset") ?? throw top.Error(rootMap, "dataset", "missing required key 'dataset'");
        string? canonical = Training.TrainingRun.DatasetNames.FirstOrDefault(d => string.Equals(d, dataset, StringComparison.OrdinalIgnoreCase));
        if (canonical is null)
        {
            string? suggestion = Suggest(dataset, Training.TrainingRun.DatasetNames);
            throw top.Error(top.Value("dataset")!, "dataset", $"'dataset' must be one of {string.Join(", ", Training.TrainingRun.DatasetNames)}; got '{dataset}'",
                suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
        }
        int seed = top.Int("seed", 1, 0, int.MaxValue);
        int? trainLimit = top.Value("train_limit") is null ? null : top.Int("train_limit", 0, 1, int.MaxValue);

        TrainSpec? train = null;
        if (top.Child("train", TrainKeys) is { } t)
            train = ReadTrain(t);
        else if (modelName is not null)
            throw top.Error(rootMap, "train", $"missing required key 'train': zoo model '{modelName}' must be trained first (or give 'model_file')");

        Section p = top.Child("prune", PruneKeys) ?? throw top.Error(rootMap, "prune", "missing required key 'prune'");
        PruneSpec prune = ReadPrune(p, layers);

        return new Recipe
        {
            Model = layers?.Model,
            ModelFile = modelFile is null ? null : top.String("model_file"),
            Dataset = canonical,
            Seed = seed,
            TrainLimit = trainLimit,
            Train = train,
            Prune = prune,
            Compress = top.Child("compress", CompressKeys) is { } c ? ReadCompress(c, layers) : null,
            Export = top.Child("export", ExportKeys) is { } e ? ReadExport(e) : null,
        };
    }

    private static TrainSpec ReadTrain(Section s) => new()
    {
        Epochs = s.Int("epochs", 10, 1, 100_000),
        BatchSize = s.Int("batch_size", 64, 1, 1 << 20),
        Optimizer = s.Enum("optimizer", Training.OptimizerKind.Sgd, RecipeNames.Optimizers),
        LearningRate = s.Double("lr", 0.01, 0, double.MaxValue, minExclusive: true),
        Momentum = s.Double("momentum", 0.9, 0, 1, maxExclusive: true),
        WeightDecay = s.Double("weight_decay", 5e-4, 0, double.MaxValue),
        L1 = s.Double("l1", 0, 0, double.MaxValue),
        LrPolicy = s.Enum("lr_policy", Training.LrPolicy.Inv, RecipeNames.LrPolicies),
        Gamma = s.Double("gamma", 1e-4, 0, double.MaxValue),
        Power = s.Double("power", 0.75, 0, double.MaxValue),
        StepEpochs = s.Int("step_epochs", 5, 1, 100_000),
    };

    private static PruneSpec ReadPrune(Section s, LayerNames? layers)
    {
        PruneMethodKind method = s.Enum("method", PruneMethodKind.Magnitude, RecipeNames.Methods);
        string methodName = RecipeNames.NameOf(RecipeNames.Methods, method);
        string[] allowed = method switch
        {
            PruneMethodKind.Scalpel => ScalpelKeys,
            PruneMethodKind.EnergyAware => EnergyAwareKeys,
            PruneMethodKind.Channel => ChannelKeys,
            _ => MagnitudeKeys,
        };
        foreach ((YScalar key, YNode value) in s.Map.Entries)
        {
            if (allowed.Contains(key.Value, StringComparer.Ordinal) || value is YScalar { IsNull: true })
                continue;
            string owner = string.Join(" and ", new[] { ("magnitude", MagnitudeKeys), ("scalpel", ScalpelKeys), ("energy-aware", EnergyAwareKeys), ("channel", ChannelKeys) }
                .Where(m => m.Item2.Contains(key.Value, StringComparer.Ordinal)).Select(m => m.Item1));
            string why = key.Value switch
            {
                "granularity" or "criterion" when method == PruneMethodKind.Scalpel => " (Scalpel prunes aligned SIMD groups by RMS, or whole nodes, as the hardware dictates)",
                _ => "",
            };
            throw s.Error(key, key.Value, $"'{key.Value}' does not apply to method {methodName}; it is a key of method {owner}{why}");
        }
        if (method == PruneMethodKind.EnergyAware)
            return new PruneSpec { Method = method, Targets = RecipeMap<TargetSpec>.Empty, EnergyAware = ReadEnergyAware(s, layers) };
        if (method == PruneMethodKind.Channel)
            return ReadChannel(s);

        ScalpelSpec? scalpel = null;
        if (method == PruneMethodKind.Scalpel)
        {
            string hardware = s.Enum("hardware", "host", Hardware.HardwareProfile.KnownNames);
            int? width = null;
            if (s.Scalar("simd_width") is { } w)
            {
                width = s.Int("simd_width", 0, 1, 1024);
                if (!SimdWidths.Contains(width.Value))
                    throw s.Error(w, "simd_width", $"'simd_width' must be one of {string.Join(", ", SimdWidths)}; got {w.Value}");
            }
            scalpel = new ScalpelSpec { Hardware = hardware, SimdWidth = width };
        }

        GranularityKind granularity = s.Enum("granularity", GranularityKind.Element, RecipeNames.Granularities);
        CriterionKind criterion = s.Enum("criterion", CriterionKind.L1, RecipeNames.Criteria);
        ScheduleKind schedule = s.Enum("schedule", ScheduleKind.OneShot, RecipeNames.Schedules);
        if (scalpel is not null && schedule == ScheduleKind.Agp)
            throw s.Error(s.Value("schedule")!, "schedule", "method scalpel runs one-shot or iterative schedules, not agp");
        int rounds = s.Int("rounds", 1, 1, 10_000);
        if (schedule == ScheduleKind.OneShot && rounds != 1)
            throw s.Error(s.Value("rounds")!, "rounds", $"'rounds' must be 1 when schedule is one-shot, got {rounds}");
        ScopeKind scope = s.Enum("scope", ScopeKind.Layer, RecipeNames.Scopes);
        if (scalpel is not null && scope == ScopeKind.Global)
            throw s.Error(s.Value("scope")!, "scope", "method scalpel prunes each SIMD-aware layer to its own target: scope must be layer");

        RecipeMap<TargetSpec> targets = RecipeMap<TargetSpec>.Empty;
        double? globalSparsity = null;
        if (scalpel is { Hardware: "gpu" })
        {
            if (s.Value("targets") is { } tv)
                throw s.Error(tv, "targets", "'targets' is not used on hardware gpu: Scalpel only node-prunes there (no weight targets)");
        }
        else if (scope == ScopeKind.Layer)
        {
            if (s.Value("global_sparsity") is { } g)
                throw s.Error(g, "global_sparsity", "'global_sparsity' is only used when scope is global (this recipe has scope: layer)");
            Section t = s.Child("targets", null) ?? throw s.Error(s.Map, "targets", "missing required key 'targets' (per-layer targets, needed when scope is layer)");
            targets = ReadTargets(t, layers);
            if (schedule == ScheduleKind.Agp)
            {
                foreach ((YScalar key, _) in t.Map.Entries)
                    if (targets[key.Value].Sparsity is null)
                        throw t.Error(key, t.PathOf(key.Value), $"schedule agp needs a sparsity target for '{key.Value}', not threshold_std");
            }
        }
        else
        {
            if (s.Value("targets") is { } tv)
                throw s.Error(tv, "targets", "'targets' is only used when scope is layer (this recipe has scope: global; use global_sparsity)");
            if (s.Value("global_sparsity") is null)
                throw s.Error(s.Map, "global_sparsity", "missing required key 'global_sparsity' (needed when scope is global)");
            if (schedule == ScheduleKind.Agp)
                throw s.Error(s.Value("scope")!, "scope", "schedule agp needs per-layer sparsity targets (scope layer)");
            globalSparsity = s.Double("global_sparsity", 0, 0, 1, maxExclusive: true);
        }

        RetrainSpec? retrain = s.Child("retrain", RetrainKeys) is { } r ? ReadRetrain(r) : null;
        return new PruneSpec
        {
            Method = method,
            Granularity = granularity,
            Criterion = criterion,
            Schedule = schedule,
            Rounds = rounds,
            Scope = scope,
            Targets = targets,
            GlobalSparsity = globalSparsity,
            Retrain = retrain,
            Scalpel = scalpel,
        };
    }

    // A list of layer names ("layers: [conv1, fc1]"); null when the key is absent. Names are checked against the model's
    // weight layers when those are known.
    private static RecipeList? ReadNames(Section s, string key, LayerNames? layers, string emptyHint)
    {
        if (s.Value(key) is not { } v) return null;
        if (v is not YSequence seq)
            throw s.Error(v, key, $"'{key}' must be a list of layer names like [conv1, fc1], got {v.Kind}");
        if (seq.Items.Count == 0)
            throw s.Error(v, key, $"'{key}' is empty: {emptyHint}");
        var list = new List<string>(seq.Items.Count);
        foreach (YNode item in seq.Items)
        {
            if (item is not YScalar { IsNull: false } name || name.Value.Trim().Length == 0)
                throw s.Error(item, key, $"every item of '{key}' must be a layer name, got {item.Kind}");
            if (list.Contains(name.Value, StringComparer.Ordinal))
                throw s.Error(item, key, $"layer '{name.Value}' is listed twice in '{key}'");
            layers?.Check(s, name, key, $"'{key}'");
            list.Add(name.Value);
        }
        return new RecipeList(list);
    }

    private static PruneSpec ReadChannel(Section s)
    {
        bool hasMacs = s.Value("macs_reduction") is not null, hasSparsity = s.Value("channel_sparsity") is not null;
        if (hasMacs && hasSparsity)
            throw s.Error(s.Value("channel_sparsity")!, "channel_sparsity", "give one target, 'macs_reduction' or 'channel_sparsity', not both");
        if (!hasMacs && !hasSparsity)
            throw s.Error(s.Map, "macs_reduction", "method channel needs a target: 'macs_reduction' (e.g. 2: half the MACs) or 'channel_sparsity' (fraction of the prunable channels removed)");
        ScheduleKind schedule = s.Enum("schedule", ScheduleKind.OneShot, RecipeNames.Schedules);
        if (schedule == ScheduleKind.Agp)
            throw s.Error(s.Value("schedule")!, "schedule", "method channel runs one-shot or iterative schedules (its iterative rounds already follow AGP's cubic ramp), not agp");
        int rounds = s.Int("rounds", 1, 1, 10_000);
        if (schedule == ScheduleKind.OneShot && rounds != 1)
            throw s.Error(s.Value("rounds")!, "rounds", $"'rounds' must be 1 when schedule is one-shot, got {rounds}");
        var channel = new ChannelSpec
        {
            Criterion = s.Enum("criterion", Pruning.Channels.ChannelCriterion.L1, RecipeNames.ChannelCriteria),
            MacsReduction = hasMacs ? s.Double("macs_reduction", 1, 1, 1e6) : null,
            ChannelSparsity = hasSparsity ? s.Double("channel_sparsity", 0, 0, 1, maxExclusive: true) : null,
            RoundTo = s.Int("round_to", 1, 1, 65_536),
            MaxRatio = s.Double("max_ratio", 0.9, 0, 1, minExclusive: true, maxExclusive: true),
            Ranking = s.Enum("ranking", RankingKind.Global, RecipeNames.Rankings),
            Protect = ReadNames(s, "protect", null, "give at least one layer (stem, classifier or a layer name), or omit it"),
            BnPenalty = s.Double("bn_penalty", 0, 0, 1e6),
            TaylorBatches = s.Int("taylor_batches", 16, 1, 1_000_000),
        };
        RetrainSpec? retrain = s.Child("retrain", ChannelRetrainKeys) is { } r ? ReadRetrain(r) : null;
        return new PruneSpec { Method = PruneMethodKind.Channel, Schedule = schedule, Rounds = rounds, Retrain = retrain, Channel = channel };
    }

    private static EnergyAwareSpec ReadEnergyAware(Section s, LayerNames? layers)
    {
        RecipeList? names = ReadNames(s, "layers", layers, "give at least one layer, or omit it to prune every weight layer");
        return new EnergyAwareSpec
        {
            Tolerance = s.Double("tolerance", 0.005, 0, 1),
            Passes = s.Int("passes", 1, 1, 1000),
            FineTuneEpochs = s.Int("fine_tune_epochs", 2, 0, 100_000),
            LrScale = s.Double("lr_scale", 0.1, 0, 1e6, minExclusive: true),
            PerLayerTolerance = s.Bool("per_layer_tolerance", false),
            MinStep = s.Double("min_step", 0.1, 0, 0.5, minExclusive: true),
            ValidationImages = s.Int("validation_images", 5000, 1, int.MaxValue),
            SampleImages = s.Int("sample_images", 1000, 1, int.MaxValue),
            Layers = names,
        };
    }

    private static RecipeMap<TargetSpec> ReadTargets(Section s, LayerNames? layers)
    {
        if (s.Map.Entries.Count == 0)
            throw s.Error(s.Map, null, "'targets' is empty: give at least one layer, e.g. 'fc1: { sparsity: 0.9 }'");
        var list = new List<KeyValuePair<string, TargetSpec>>(s.Map.Entries.Count);
        foreach ((YScalar key, YNode value) in s.Map.Entries)
        {
            string layer = key.Value;
            string path = s.PathOf(layer);
            if (layer.Length == 0)
                throw s.Error(key, path, "a layer name in 'targets' is empty");
            TargetSpec target;
            if (value is YScalar bare && !bare.IsNull)
            {
                // Shorthand: "fc1: 0.92" means "fc1: { sparsity: 0.92 }".
                target = TargetSpec.ForSparsity(Section.ParseDouble(s, bare, path, layer, 0, 1, false, true));
            }
            else if (value is YMapping m)
            {
                var ts = new Section(s.Source, m, path, TargetKeys);
                bool hasSparsity = ts.Value("sparsity") is not null, hasThreshold = ts.Value("threshold_std") is not null;
                if (hasSparsity && hasThreshold)
                    throw ts.Error(ts.Value("threshold_std")!, "threshold_std", $"target '{layer}' gives both 'sparsity' and 'threshold_std'; give one");
                if (!hasSparsity && !hasThreshold)
                    throw ts.Error(m, null, $"target '{layer}' needs 'sparsity' (fraction in [0, 1)) or 'threshold_std' (s in |w| > s·σ)");
                target = hasSparsity
                    ? TargetSpec.ForSparsity(ts.Double("sparsity", 0, 0, 1, maxExclusive: true))
                    : TargetSpec.ForThresholdStd(ts.Double("threshold_std", 0, 0, 1e6));
            }
            else
            {
                throw s.Error(value, path, $"target '{layer}' must be a mapping like '{{ sparsity: 0.9 }}' or '{{ threshold_std: 0.8 }}', got {value.Kind}");
            }
            layers?.Check(s, key, path, "'targets'");
            list.Add(new KeyValuePair<string, TargetSpec>(layer, target));
        }
        return new RecipeMap<TargetSpec>(list);
    }

    private static RetrainSpec ReadRetrain(Section s) => new()
    {
        EpochsPerRound = s.Int("epochs_per_round", 1, 0, 100_000),
        FinalEpochs = s.Int("final_epochs", 0, 0, 100_000),
        LrScale = s.Double("lr_scale", 0.1, 0, 1e6, minExclusive: true),
        Regularization = s.Enum("regularization", RegularizationKind.L2, RecipeNames.Regularizations),
        Freeze = s.Enum("freeze", FreezeKind.None, RecipeNames.Freezes),
        Reinitialize = s.Bool("reinitialize", false),
    };

    private static CompressSpec ReadCompress(Section s, LayerNames? layers) => new()
    {
        Bits = ReadBits(s, "bits", layers),
        IndexBits = ReadBits(s, "index_bits", layers),
        FineTuneEpochs = s.Int("fine_tune_epochs", 3, 0, 100_000),
        FineTuneLrScale = s.Double("fine_tune_lr_scale", 0.1, 0, 1e6, minExclusive: true),
        Huffman = s.Bool("huffman", true),
    };

    // "bits: 5" (every layer) or "bits: { conv: 8, fc: 5, fc1: 6 }"; widths in [1, 16].
    private static BitsSpec? ReadBits(Section s, string key, LayerNames? layers)
    {
        YNode? v = s.Value(key);
        if (v is null) return null;
        int min = Compression.Quantization.LayerCodebook.MinBits, max = Compression.Quantization.LayerCodebook.MaxBits;
        if (v is YScalar)
            return BitsSpec.All(s.Int(key, 0, min, max));
        if (v is not YMapping m)
            throw s.Error(v, key, $"'{key}' must be a width like 5 or a mapping like '{{ conv: 8, fc: 5, fc1: 6 }}', got {v.Kind}");
        if (m.Entries.Count == 0)
            throw s.Error(v, key, $"'{key}' is empty: give conv, fc or layer widths, or omit it");
        var section = new Section(s.Source, m, s.PathOf(key), m.Entries.Select(e => e.Key.Value).ToArray());
        int? conv = null, fc = null;
        var perLayer = new List<KeyValuePair<string, int>>();
        foreach ((YScalar k, _) in m.Entries)
        {
            int bits = section.Int(k.Value, 0, min, max);
            switch (k.Value)
            {
                case "conv": conv = bits; break;
                case "fc": fc = bits; break;
                default:
                    layers?.Check(section, k, section.PathOf(k.Value), $"'{key}' (keys are conv, fc or a layer name)");
                    perLayer.Add(new KeyValuePair<string, int>(k.Value, bits));
                    break;
            }
        }
        return new BitsSpec(conv, fc, new RecipeMap<int>(perLayer));
    }

    private static ExportSpec ReadExport(Section s) => new()
    {
        Onnx = s.String("onnx") ?? "model.onnx",
        SparseInitializers = s.Bool("sparse_initializers", false),
    };

    /// <summary>The weight-layer names of a zoo model, to check the layer names a recipe gives.</summary>
    private sealed class LayerNames(string model)
    {
        // Building a zoo model initialises all its weights: do it once per model, not once per load.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> Cache = new(StringComparer.Ordinal);

        private readonly string[] _names = Cache.GetOrAdd(model, m => PrunableLayer.Find(ModelZoo.Create(m, 0)).Select(l => l.Name).ToArray());

        public string Model { get; } = model;

        public void Check(Section at, YScalar name, string path, string where)
        {
            if (_names.Contains(name.Value, StringComparer.Ordinal)) return;
            string? suggestion = Suggest(name.Value, _names);
            throw at.Error(name, path, $"unknown layer '{name.Value}' in {where}; {Model} has {string.Join(", ", _names)}",
                suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
        }
    }

    /// <summary>Levenshtein distance (insert, delete, substitute), for "did you mean" suggestions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The closest allowed name within a small edit distance (≤ 1 for short names, ≤ 2 or a third of the length otherwise), or null.</summary>
    internal static string? Suggest(string given, IEnumerable<string> allowed)
    {
        string lower = given.ToLowerInvariant().Replace('-', '_');
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string name in allowed)
        {
            int d = EditDistance(lower, name.Replace('-', '_'));
            if (d < bestDistance)
            {
                bestDistance = d;
                best = name;
            }
        }
        int limit = Math.Max(given.Length <= 3 ? 1 : 2, given.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    /// <summary>One mapping being read: typed accessors that throw positioned RecipeExceptions.</summary>
    private sealed class Section
    {
        public Section(string source, YMapping map, string path, string[] allowedKeys)
        {
            Source = source;
            Map = map;
            Path = path;
            foreach ((YScalar key, _) in map.Entries)
            {
                if (allowedKeys.Contains(key.Value, StringComparer.Ordinal))
                    continue;
                string? suggestion = Suggest(key.Value, allowedKeys);
                string hint = suggestion is not null
                    ? $"(did you mean '{suggestion}'?)"
                    : $"(expected one of: {string.Join(", ", allowedKeys)})";
                throw new RecipeException(source, key.Line, key.Column, PathOf(key.Value), $"unknown key '{key.Value}'", hint);
            }
        }

        public string Source { get; }

        public YMapping Map { get; }

        public string Path { get; }

        public string PathOf(string key) => Path.Length == 0 ? key : Path + "." + key;

        /// <summary>A positioned error; <paramref name="key"/> is a key of this section or a dotted path (null: the section itself).</summary>
        public RecipeException Error(YNode at, string? key, string problem, string suffix = "")
        {
            string? path = key is null ? (Path.Length > 0 ? Path : null)
                : key.Contains('.', StringComparison.Ordinal) ? key : PathOf(key);
            return new RecipeException(Source, at.Line, at.Column, path, problem, suffix);
        }

        /// <summary>The value node of <paramref name="key"/>, or null when absent or null-valued.</summary>
        public YNode? Value(string key)
        {
            foreach ((YScalar k, YNode v) in Map.Entries)
                if (k.Value == key)
                    return v is YScalar { IsNull: true } ? null : v;
            return null;
        }

        public YScalar? Scalar(string key) => Value(key) switch
        {
            null => null,
            YScalar s => s,
            YNode other => throw Error(other, key, $"'{key}' must be a single value, got {other.Kind}"),
        };

        public string? String(string key)
        {
            YScalar? s = Scalar(key);
            if (s is null) return null;
            if (s.Value.Trim().Length == 0)
                throw Error(s, key, $"'{key}' must not be empty");
            return s.Value;
        }

        public int Int(string key, int fallback, int min, int max)
        {
            YScalar? s = Scalar(key);
            if (s is null) return fallback;
            if (!long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw Error(s, key, $"'{key}' must be an integer, got '{s.Value}'");
            if (v < min || v > max)
                throw Error(s, key, max == int.MaxValue
                    ? $"'{key}' must be at least {min}, got {s.Value}"
                    : $"'{key}' must be in [{min}, {max}], got {s.Value}");
            return (int)v;
        }

        public double Double(string key, double fallback, double min, double max, bool minExclusive = false, bool maxExclusive = false)
        {
            YScalar? s = Scalar(key);
            return s is null ? fallback : ParseDouble(this, s, PathOf(key), key, min, max, minExclusive, maxExclusive);
        }

        public static double ParseDouble(Section at, YScalar s, string path, string label, double min, double max,
            bool minExclusive, bool maxExclusive)
        {
            if (!double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw at.Error(s, path, $"'{label}' must be a number, got '{s.Value}'");
            bool below = minExclusive ? v <= min : v < min;
            bool above = maxExclusive ? v >= max : v > max;
            if (below || above)
            {
                string range = max == double.MaxValue
                    ? (minExclusive ? $"greater than {Fmt(min)}" : $"at least {Fmt(min)}")
                    : $"in {(minExclusive ? "(" : "[")}{Fmt(min)}, {Fmt(max)}{(maxExclusive ? ")" : "]")}";
                throw at.Error(s, path, $"'{label}' must be {range}, got {s.Value}");
            }
            return v;
        }

        public bool Bool(string key, bool fallback)
        {
            YScalar? s = Scalar(key);
            if (s is null) return fallback;
            return s.Value switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => throw Error(s, key, $"'{key}' must be true or false, got '{s.Value}'"),
            };
        }

        public T Enum<T>(string key, T fallback, (string Name, T Value)[] table) where T : struct, System.Enum
        {
            YScalar? s = Scalar(key);
            if (s is null) return fallback;
            foreach ((string name, T value) in table)
                if (string.Equals(name, s.Value, StringComparison.OrdinalIgnoreCase))
                    return value;
            string allowed = string.Join(", ", table.Select(e => e.Name));
            string? suggestion = Suggest(s.Value, table.Select(e => e.Name));
            throw Error(s, key, $"'{key}' must be one of {allowed}; got '{s.Value}'",
                suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
        }

        /// <summary>One of the names <paramref name="allowed"/> (case-insensitive; returned as listed), or <paramref name="fallback"/> when absent.</summary>
        public string Enum(string key, string fallback, IReadOnlyList<string> allowed)
        {
            YScalar? s = Scalar(key);
            if (s is null) return fallback;
            foreach (string name in allowed)
                if (string.Equals(name, s.Value, StringComparison.OrdinalIgnoreCase))
                    return name;
            string? suggestion = Suggest(s.Value, allowed);
            throw Error(s, key, $"'{key}' must be one of {string.Join(", ", allowed)}; got '{s.Value}'",
                suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
        }

        /// <summary>The mapping under <paramref name="key"/> as a section, or null when absent; <paramref name="allowedKeys"/> null = any key.</summary>
        public Section? Child(string key, string[]? allowedKeys)
        {
            YNode? v = Value(key);
            if (v is null) return null;
            if (v is not YMapping m)
                throw Error(v, key, $"'{key}' must be a mapping of keys, got {v.Kind}");
            return new Section(Source, m, PathOf(key), allowedKeys ?? m.Entries.Select(e => e.Key.Value).ToArray());
        }

        private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }
}
