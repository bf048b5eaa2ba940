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
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>Loads and validates YAML recipes.</summary>
public static class RecipeLoader
{
    private static readonly string[] RootKeys =
        ["model", "model_file", "dataset", "seed", "train_limit", "train", "prune", "compress", "export"];

    private static readonly string[] TrainKeys =
        ["epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay", "l1", "lr_policy", "gamma", "power", "step_epochs"];

    private static readonly string[] PruneKeys = PruningMethods.All.SelectMany(AllowedKeys).Distinct().ToArray();

    private static readonly string[] TargetKeys = ["sparsity", "threshold_std"];

    private static readonly string[] RetrainKeys =
        ["epochs_per_round", "final_epochs", "lr_scale", "regularization", "freeze", "reinitialize"];

    private static readonly string[] BasicRetrainKeys = ["epochs_per_round", "final_epochs", "lr_scale"];

    private static readonly string[] CompressKeys = ["bits", "index_bits", "fine_tune_epochs", "fine_tune_lr_scale", "huffman"];

    private static readonly string[] ExportKeys = ["onnx", "sparse_initializers"];

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
            string? suggestion = SettingText.Suggest(dataset, Training.TrainingRun.DatasetNames);
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

    // The keys of the prune section a method takes: its own settings and the shared parts it uses.
    private static IEnumerable<string> AllowedKeys(PruningMethod m)
    {
        yield return "method";
        foreach (Setting o in m.Options) yield return o.Key;
        if (m.Parts.HasFlag(ScheduleParts.Rounds)) { yield return "schedule"; yield return "rounds"; }
        if (m.Parts.HasFlag(ScheduleParts.Scope)) yield return "scope";
        if (m.Parts.HasFlag(ScheduleParts.Targets)) yield return "targets";
        if (m.Parts.HasFlag(ScheduleParts.Global)) yield return "global_sparsity";
        if (m.Parts.HasFlag(ScheduleParts.Retrain)) yield return "retrain";
    }

    private static PruneSpec ReadPrune(Section s, LayerNames? layers)
    {
        PruningMethod method = PruningMethods.Get(s.Enum("method", "magnitude", PruningMethods.Names));
        string[] allowed = AllowedKeys(method).ToArray();
        foreach ((YScalar key, YNode value) in s.Map.Entries)
        {
            if (allowed.Contains(key.Value, StringComparer.Ordinal) || value is YScalar { IsNull: true })
                continue;
            string owner = string.Join(" and ", PruningMethods.All.Where(m => AllowedKeys(m).Contains(key.Value, StringComparer.Ordinal)).Select(m => m.Name));
            string why = method.ForeignKeyNotes.GetValueOrDefault(key.Value, "");
            throw s.Error(key, key.Value, $"'{key.Value}' does not apply to method {method.Name}; it is a key of method {owner}{why}");
        }

        // The method's own settings, then the checks that span several keys (before the shared keys are read, so that
        // e.g. "scope must be layer" is said before "missing global_sparsity").
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (Setting option in method.Options)
            if (s.Value(option.Key) is { } node)
                values[option.Key] = ReadSetting(s, option, node, layers);
        object settings = method.CreateOptions(values);
        ScheduleKind schedule = method.Parts.HasFlag(ScheduleParts.Rounds) ? s.Enum("schedule", ScheduleKind.OneShot, RecipeNames.Schedules) : ScheduleKind.OneShot;
        ScopeKind scope = method.Parts.HasFlag(ScheduleParts.Scope) ? s.Enum("scope", ScopeKind.Layer, RecipeNames.Scopes) : ScopeKind.Layer;
        int givenTargets = s.Value("targets") is YMapping tm ? tm.Entries.Count : 0;
        try
        {
            method.Check(settings, new SharedSettings(schedule, scope == ScopeKind.Global, givenTargets));
        }
        catch (SettingValueException e)
        {
            throw s.Error(s.Value(e.Key) ?? s.Map, e.Key, e.Problem, e.Suffix);
        }

        int rounds = method.Parts.HasFlag(ScheduleParts.Rounds) ? s.Int("rounds", 1, 1, 10_000) : 1;
        if (schedule == ScheduleKind.OneShot && rounds != 1)
            throw s.Error(s.Value("rounds")!, "rounds", $"'rounds' must be 1 when schedule is one-shot, got {rounds}");
        RecipeMap<TargetSpec> targets = RecipeMap<TargetSpec>.Empty;
        double? globalSparsity = null;
        if (!method.Parts.HasFlag(ScheduleParts.Targets) || !method.NeedsTargets(settings))
        {
            // No targets (the method finds its densities, or the hardware node-prunes only).
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

        RetrainSettings? retrain = method.Parts.HasFlag(ScheduleParts.Retrain)
            && s.Child("retrain", method.Parts.HasFlag(ScheduleParts.RetrainExtras) ? RetrainKeys : BasicRetrainKeys) is { } r ? ReadRetrain(r) : null;
        return new PruneSpec
        {
            Method = method.Name,
            Settings = settings,
            Schedule = schedule,
            Rounds = rounds,
            Scope = scope,
            Targets = targets,
            GlobalSparsity = globalSparsity,
            Retrain = retrain,
        };
    }

    // One setting of the method: a scalar, or a list of names (checked against the zoo model's layers when it is a layer list).
    private static object ReadSetting(Section s, Setting option, YNode node, LayerNames? layers)
    {
        string key = option.Key;
        try
        {
            if (!option.IsList) return option.Parse(s.Scalar(key)!.Value);
            if (node is not YSequence seq)
                throw s.Error(node, key, $"'{key}' must be a list of {(option.Info.LayerNames ? "layer names" : "names")} like [conv1, fc1], got {node.Kind}");
            var items = new List<string>(seq.Items.Count);
            foreach (YNode item in seq.Items)
            {
                if (item is not YScalar { IsNull: false } name || name.Value.Trim().Length == 0)
                    throw s.Error(item, key, $"every item of '{key}' must be a name, got {item.Kind}");
                if (option.Info.LayerNames) layers?.Check(s, name, key, $"'{key}'");
                items.Add(name.Value);
            }
            return option.ParseList(items);
        }
        catch (SettingValueException e)
        {
            throw s.Error(node, key, e.Problem, e.Suffix);
        }
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

    private static RetrainSettings ReadRetrain(Section s) => new()
    {
        EpochsPerRound = s.Int("epochs_per_round", 1, 0, 100_000),
        FinalEpochs = s.Int("final_epochs", 0, 0, 100_000),
        LrScale = s.Double("lr_scale", 0.1, 0, 1e6, minExclusive: true),
        Regularization = s.Enum("regularization", Regularization.L2),
        Freeze = s.Enum("freeze", FreezeMode.None),
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
            string? suggestion = SettingText.Suggest(name.Value, _names);
            throw at.Error(name, path, $"unknown layer '{name.Value}' in {where}; {Model} has {string.Join(", ", _names)}",
                suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
        }
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
                string? suggestion = SettingText.Suggest(key.Value, allowedKeys);
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
            return s is null ? fallback : Parse(s, key, () => SettingText.ParseInt(key, s.Value, min, max));
        }

        public double Double(string key, double fallback, double min, double max, bool minExclusive = false, bool maxExclusive = false)
        {
            YScalar? s = Scalar(key);
            return s is null ? fallback : ParseDouble(this, s, PathOf(key), key, min, max, minExclusive, maxExclusive);
        }

        public static double ParseDouble(Section at, YScalar s, string path, string label, double min, double max,
            bool minExclusive, bool maxExclusive) =>
            at.Parse(s, path, () => SettingText.ParseDouble(label, s.Value, min, max, minExclusive, maxExclusive));

        public bool Bool(string key, bool fallback)
        {
            YScalar? s = Scalar(key);
            return s is null ? fallback : Parse(s, key, () => SettingText.ParseBool(key, s.Value));
        }

        public T Enum<T>(string key, T fallback, (string Name, T Value)[] table) where T : struct, System.Enum
        {
            YScalar? s = Scalar(key);
            if (s is null) return fallback;
            string name = Parse(s, key, () => SettingText.ParseChoice(key, s.Value, table.Select(e => e.Name).ToArray()));
            return table.First(e => e.Name == name).Value;
        }

        /// <summary>An enum value by its kebab-case name (SettingText), or <paramref name="fallback"/> when absent.</summary>
        public T Enum<T>(string key, T fallback) where T : struct, System.Enum
        {
            YScalar? s = Scalar(key);
            return s is null ? fallback : Parse(s, key, () => (T)SettingText.ParseEnum(key, s.Value, typeof(T)));
        }

        /// <summary>One of the names <paramref name="allowed"/> (case-insensitive; returned as listed), or <paramref name="fallback"/> when absent.</summary>
        public string Enum(string key, string fallback, IReadOnlyList<string> allowed)
        {
            YScalar? s = Scalar(key);
            return s is null ? fallback : Parse(s, key, () => SettingText.ParseChoice(key, s.Value, allowed));
        }

        // A value parsed by SettingText, its rejection positioned at the scalar.
        private T Parse<T>(YScalar at, string key, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (SettingValueException e)
            {
                throw Error(at, key, e.Problem, e.Suffix);
            }
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
    }
}
