// RecipeLoader: YAML recipe text -> validated Recipe. Every rejection is a RecipeException naming the
// source, the line and column, and the key: unknown keys (with a "did you mean" suggestion by edit
// distance), wrong types, values out of range, missing required keys, conflicting keys, unknown enum
// names (listing the allowed ones), keys of another pruning method. A present key whose value is
// empty / ~ / null counts as absent.
//
// Every scalar key is read generically from the [Setting] that declares it (Recipe's root keys, TrainingRecipe,
// PruneSpec, the method's settings record, LayerTarget, RetrainSettings, CompressSpec, ExportSpec): its type, range
// and allowed names, and its default (the record's initializer). Rules beyond the per-key types and ranges:
//   exactly one of model / model_file; a zoo model needs a train section (it has no weights otherwise);
//   the prune section takes the keys of its method (PruneSpec.KeysOf: its own settings and the shared parts it
//   uses), and the method's cross-key checks; scope layer needs prune.targets (non-empty) and forbids
//   global_sparsity; scope global needs global_sparsity and forbids targets; schedule one-shot means rounds 1;
//   agp needs sparsity targets; a target is a bare sparsity or exactly one of sparsity / threshold_std;
//   bits and index_bits are one width or a mapping of conv, fc and layer names;
//   with a zoo model, every layer name (targets, layer lists, bits entries) must be one of the model's weight layers.
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Settings;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>Loads and validates YAML recipes.</summary>
public static class RecipeLoader
{
    private static readonly string[] PruneKeys = PruningMethods.All.SelectMany(PruneSpec.KeysOf).Distinct().ToArray();

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

        var top = new Section(sourceName, rootMap, "", [.. Keys<Recipe>(), "train", "prune", "compress", "export"]);
        YScalar? model = top.Scalar("model"), modelFile = top.Scalar("model_file");
        if (model is not null && modelFile is not null)
            throw top.Error(modelFile, "model_file", "'model' and 'model_file' are mutually exclusive: give a zoo name or a file, not both");
        if (model is null && modelFile is null)
            throw top.Error(rootMap, "model", "missing required key 'model' (a zoo name) or 'model_file'");
        Recipe recipe = top.Read(new Recipe { Dataset = "", Prune = new PruneSpec() }, null);
        if (recipe.Model is { } name && !ModelZoo.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            throw top.Error(model!, "model", $"unknown model '{name}'; the zoo has {string.Join(", ", ModelZoo.Names)}");
        // With a zoo model every layer name in the recipe can be checked now, at its line.
        var layers = recipe.Model is null ? null : new LayerNames(ModelZoo.Get(recipe.Model).Name);
        if (top.Value("dataset") is null)
            throw top.Error(rootMap, "dataset", "missing required key 'dataset'");

        TrainingRecipe? train = top.Child("train", Keys<TrainingRecipe>())?.Read(new TrainingRecipe(), layers);
        if (train is null && layers is not null)
            throw top.Error(rootMap, "train", $"missing required key 'train': zoo model '{recipe.Model}' must be trained first (or give 'model_file')");
        Section p = top.Child("prune", PruneKeys) ?? throw top.Error(rootMap, "prune", "missing required key 'prune'");
        return recipe with
        {
            Model = layers?.Model,
            Train = train,
            Prune = ReadPrune(p, layers),
            Compress = top.Child("compress", ["bits", "index_bits", .. Keys<CompressSpec>()]) is { } c
                ? c.Read(new CompressSpec(), layers) with { Bits = ReadBits(c, "bits", layers), IndexBits = ReadBits(c, "index_bits", layers) }
                : null,
            Export = top.Child("export", Keys<ExportSpec>())?.Read(new ExportSpec(), layers),
        };
    }

    private static string[] Keys<T>() => Setting.Of(typeof(T)).Select(s => s.Key).ToArray();

    private static PruneSpec ReadPrune(Section s, LayerNames? layers)
    {
        PruningMethod method = PruningMethods.Get(s.Read(new PruneSpec(), layers, ["method"]).Method);
        string[] allowed = PruneSpec.KeysOf(method).ToArray();
        foreach ((YScalar key, YNode value) in s.Map.Entries)
        {
            if (allowed.Contains(key.Value, StringComparer.Ordinal) || value is YScalar { IsNull: true })
                continue;
            string owner = string.Join(" and ", PruningMethods.All.Where(m => PruneSpec.KeysOf(m).Contains(key.Value, StringComparer.Ordinal)).Select(m => m.Name));
            string why = method.ForeignKeyNotes.GetValueOrDefault(key.Value, "");
            throw s.Error(key, key.Value, $"'{key.Value}' does not apply to method {method.Name}; it is a key of method {owner}{why}");
        }

        // The method's own settings and the shared keys it takes, then the checks that span several keys.
        object settings = s.Read(method.DefaultOptions(), layers);
        PruneSpec spec = s.Read(new PruneSpec { Settings = settings }, layers, allowed);
        int givenTargets = s.Value("targets") is YMapping tm ? tm.Entries.Count : 0;
        try
        {
            method.Check(settings, new SharedSettings(spec.Schedule, spec.Scope == ScopeKind.Global, givenTargets));
        }
        catch (SettingValueException e)
        {
            throw s.Error(s.Value(e.Key) ?? s.Map, e.Key, e.Problem, e.Suffix);
        }
        if (spec.Schedule == ScheduleKind.OneShot && spec.Rounds != 1)
            throw s.Error(s.Value("rounds")!, "rounds", $"'rounds' must be 1 when schedule is one-shot, got {spec.Rounds}");

        // Targets, unless the method finds its densities (or the hardware node-prunes only).
        if (method.NeedsTargets(settings) && spec.Scope == ScopeKind.Layer)
        {
            if (s.Value("global_sparsity") is { } g)
                throw s.Error(g, "global_sparsity", "'global_sparsity' is only used when scope is global (this recipe has scope: layer)");
            Section t = s.Child("targets", null) ?? throw s.Error(s.Map, "targets", "missing required key 'targets' (per-layer targets, needed when scope is layer)");
            spec = spec with { Targets = ReadTargets(t, layers) };
            foreach ((YScalar key, _) in t.Map.Entries)
                if (spec.Schedule == ScheduleKind.Agp && spec.Targets[key.Value].Sparsity is null)
                    throw t.Error(key, t.PathOf(key.Value), $"schedule agp needs a sparsity target for '{key.Value}', not threshold_std");
        }
        else if (method.NeedsTargets(settings))
        {
            if (s.Value("targets") is { } tv)
                throw s.Error(tv, "targets", "'targets' is only used when scope is layer (this recipe has scope: global; use global_sparsity)");
            if (spec.GlobalSparsity is null)
                throw s.Error(s.Map, "global_sparsity", "missing required key 'global_sparsity' (needed when scope is global)");
            if (spec.Schedule == ScheduleKind.Agp)
                throw s.Error(s.Value("scope")!, "scope", "schedule agp needs per-layer sparsity targets (scope layer)");
        }

        return method.Parts.HasFlag(ScheduleParts.Retrain) && s.Child("retrain", PruneSpec.RetrainKeysOf(method).ToArray()) is { } r
            ? spec with { Retrain = r.Read(new RetrainSettings(), layers) }
            : spec;
    }

    private static RecipeMap<LayerTarget> ReadTargets(Section s, LayerNames? layers)
    {
        if (s.Map.Entries.Count == 0)
            throw s.Error(s.Map, null, "'targets' is empty: give at least one layer, e.g. 'fc1: { sparsity: 0.9 }'");
        var list = new List<KeyValuePair<string, LayerTarget>>(s.Map.Entries.Count);
        foreach ((YScalar key, YNode value) in s.Map.Entries)
        {
            string layer = key.Value, path = s.PathOf(layer);
            if (layer.Length == 0)
                throw s.Error(key, path, "a layer name in 'targets' is empty");
            LayerTarget target;
            if (value is YScalar bare && !bare.IsNull)
            {
                // Shorthand: "fc1: 0.92" means "fc1: { sparsity: 0.92 }".
                target = new LayerTarget(Sparsity: s.Parse(bare, path, () => SettingText.ParseDouble(layer, bare.Value, 0, 1, maxExclusive: true)));
            }
            else if (value is YMapping m)
            {
                var ts = new Section(s.Source, m, path, Keys<LayerTarget>());
                target = ts.Read(new LayerTarget(), layers);
                if (target.Sparsity is not null && target.S is not null)
                    throw ts.Error(ts.Value("threshold_std")!, "threshold_std", $"target '{layer}' gives both 'sparsity' and 'threshold_std'; give one");
                if (target == new LayerTarget())
                    throw ts.Error(m, null, $"target '{layer}' needs 'sparsity' (fraction in [0, 1)) or 'threshold_std' (s in |w| > s·σ)");
            }
            else
            {
                throw s.Error(value, path, $"target '{layer}' must be a mapping like '{{ sparsity: 0.9 }}' or '{{ threshold_std: 0.8 }}', got {value.Kind}");
            }
            layers?.Check(s, key, path, "'targets'");
            list.Add(new KeyValuePair<string, LayerTarget>(layer, target));
        }
        return new RecipeMap<LayerTarget>(list);
    }

    // "bits: 5" (every layer) or "bits: { conv: 8, fc: 5, fc1: 6 }"; widths in [1, 16].
    private static BitsSpec? ReadBits(Section s, string key, LayerNames? layers)
    {
        YNode? v = s.Value(key);
        if (v is null) return null;
        int min = Compression.Quantization.LayerCodebook.MinBits, max = Compression.Quantization.LayerCodebook.MaxBits;
        if (v is YScalar one)
            return BitsSpec.All(s.Parse(one, key, () => SettingText.ParseInt(key, one.Value, min, max)));
        if (v is not YMapping m)
            throw s.Error(v, key, $"'{key}' must be a width like 5 or a mapping like '{{ conv: 8, fc: 5, fc1: 6 }}', got {v.Kind}");
        if (m.Entries.Count == 0)
            throw s.Error(v, key, $"'{key}' is empty: give conv, fc or layer widths, or omit it");
        var section = new Section(s.Source, m, s.PathOf(key), null);
        int? conv = null, fc = null;
        var perLayer = new List<KeyValuePair<string, int>>();
        foreach ((YScalar k, _) in m.Entries)
        {
            int bits = section.Scalar(k.Value) is { } w ? section.Parse(w, k.Value, () => SettingText.ParseInt(k.Value, w.Value, min, max)) : 0;
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

    /// <summary>One mapping being read: its settings read generically, every rejection a positioned RecipeException.</summary>
    private sealed class Section
    {
        /// <summary>A section whose keys must be among <paramref name="allowedKeys"/> (null: any key).</summary>
        public Section(string source, YMapping map, string path, IReadOnlyCollection<string>? allowedKeys)
        {
            Source = source;
            Map = map;
            Path = path;
            foreach ((YScalar key, _) in map.Entries)
            {
                if (allowedKeys is null || allowedKeys.Contains(key.Value, StringComparer.Ordinal))
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

        /// <summary>Every setting of <paramref name="into"/>'s type given in this section (only <paramref name="keys"/>
        /// when given), set on <paramref name="into"/> (a fresh record); the others keep its values.</summary>
        public T Read<T>(T into, LayerNames? layers, IReadOnlyCollection<string>? keys = null) where T : class
        {
            foreach (Setting setting in Setting.Of(into.GetType()))
                if ((keys is null || keys.Contains(setting.Key)) && Value(setting.Key) is { } node)
                    setting.Set(into, ReadSetting(setting, node, layers));
            return into;
        }

        // One setting: a scalar, or a list of names (checked against the zoo model's layers when it is a layer list).
        private object ReadSetting(Setting setting, YNode node, LayerNames? layers)
        {
            string key = setting.Key;
            if (!setting.IsList) return Parse(Scalar(key)!, key, () => setting.Parse(Scalar(key)!.Value));
            if (node is not YSequence seq)
                throw Error(node, key, $"'{key}' must be a list of {(setting.Info.LayerNames ? "layer names" : "names")} like [conv1, fc1], got {node.Kind}");
            var items = new List<string>(seq.Items.Count);
            foreach (YNode item in seq.Items)
            {
                if (item is not YScalar { IsNull: false } name || name.Value.Trim().Length == 0)
                    throw Error(item, key, $"every item of '{key}' must be a name, got {item.Kind}");
                if (setting.Info.LayerNames) layers?.Check(this, name, key, $"'{key}'");
                items.Add(name.Value);
            }
            return Parse(node, key, () => setting.ParseList(items));
        }

        /// <summary>A value parsed by a setting's parser, its rejection positioned at <paramref name="at"/>.</summary>
        public T Parse<T>(YNode at, string key, Func<T> parse)
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
        public Section? Child(string key, IReadOnlyCollection<string>? allowedKeys)
        {
            YNode? v = Value(key);
            if (v is null) return null;
            if (v is not YMapping m)
                throw Error(v, key, $"'{key}' must be a mapping of keys, got {v.Kind}");
            return new Section(Source, m, PathOf(key), allowedKeys);
        }
    }
}
