// RecipeWriter: Recipe -> YAML text in the loader's schema, so ToYaml then LoadFromString gives an equal
// Recipe (numbers are written in round-trip form; every field is written, defaults included, so the
// file documents the whole run). Free-form sections keep their strings; a string that YAML would read
// as null is quoted. The writer does not validate: write a recipe that the loader would reject and the
// load fails.
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Topiary.Recipes;

/// <summary>Writes recipes as YAML.</summary>
public static class RecipeWriter
{
    /// <summary>The recipe as YAML text (UTF-8 friendly, LF line ends, trailing newline).</summary>
    /// <exception cref="ArgumentException">A free-form section holds a value that is not a string, null, <see cref="RecipeList"/> or <c>RecipeMap&lt;object?&gt;</c>.</exception>
    public static string ToYaml(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var w = new Writer(new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: 120, isCanonical: false,
            maxSimpleKeyLength: 1024, skipAnchorName: false, indentSequences: false, newLine: "\n")));
        w.Emit(new StreamStart());
        w.Emit(new DocumentStart());
        w.BeginMap();
        if (recipe.Model is not null) w.Pair("model", recipe.Model);
        if (recipe.ModelFile is not null) w.Pair("model_file", recipe.ModelFile);
        w.Pair("dataset", recipe.Dataset);
        w.Pair("seed", recipe.Seed);
        if (recipe.Train is { } t)
        {
            w.Key("train");
            w.BeginMap();
            w.Pair("epochs", t.Epochs);
            w.Pair("batch_size", t.BatchSize);
            w.Pair("optimizer", RecipeNames.NameOf(RecipeNames.Optimizers, t.Optimizer));
            w.Pair("lr", t.LearningRate);
            w.Pair("momentum", t.Momentum);
            w.Pair("weight_decay", t.WeightDecay);
            w.Pair("l1", t.L1);
            w.Pair("lr_policy", RecipeNames.NameOf(RecipeNames.LrPolicies, t.LrPolicy));
            w.Pair("gamma", t.Gamma);
            w.Pair("power", t.Power);
            w.Pair("step_epochs", t.StepEpochs);
            w.EndMap();
        }
        PruneSpec p = recipe.Prune ?? throw new ArgumentException("Recipe.Prune is null.", nameof(recipe));
        w.Key("prune");
        w.BeginMap();
        w.Pair("method", RecipeNames.NameOf(RecipeNames.Methods, p.Method));
        w.Pair("granularity", RecipeNames.NameOf(RecipeNames.Granularities, p.Granularity));
        w.Pair("criterion", RecipeNames.NameOf(RecipeNames.Criteria, p.Criterion));
        w.Pair("schedule", RecipeNames.NameOf(RecipeNames.Schedules, p.Schedule));
        w.Pair("rounds", p.Rounds);
        w.Pair("scope", RecipeNames.NameOf(RecipeNames.Scopes, p.Scope));
        if (p.Targets is { Count: > 0 } targets)
        {
            w.Key("targets");
            w.BeginMap();
            foreach ((string layer, TargetSpec target) in targets)
            {
                w.Key(layer);
                w.BeginMap(MappingStyle.Flow);
                if (target.Sparsity is { } sp) w.Pair("sparsity", sp);
                if (target.ThresholdStd is { } ts) w.Pair("threshold_std", ts);
                w.EndMap();
            }
            w.EndMap();
        }
        if (p.GlobalSparsity is { } g) w.Pair("global_sparsity", g);
        if (p.Retrain is { } r)
        {
            w.Key("retrain");
            w.BeginMap();
            w.Pair("epochs_per_round", r.EpochsPerRound);
            w.Pair("lr_scale", r.LrScale);
            w.Pair("regularization", RecipeNames.NameOf(RecipeNames.Regularizations, r.Regularization));
            w.Pair("freeze", RecipeNames.NameOf(RecipeNames.Freezes, r.Freeze));
            w.Pair("reinitialize", r.Reinitialize ? "true" : "false");
            w.EndMap();
        }
        w.EndMap();
        if (recipe.Compress is { } c) { w.Key("compress"); w.FreeForm(c); }
        if (recipe.Export is { } e) { w.Key("export"); w.FreeForm(e); }
        w.EndMap();
        w.Emit(new DocumentEnd(isImplicit: true));
        w.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>Writes <paramref name="recipe"/> to <paramref name="path"/> atomically (temp file + rename).</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, Recipe recipe) => IO.AtomicFile.WriteAllText(path, ToYaml(recipe));

    private sealed class Writer(Emitter emitter)
    {
        public void Emit(ParsingEvent e) => emitter.Emit(e);

        public void BeginMap(MappingStyle style = MappingStyle.Block) =>
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, style));

        public void EndMap() => emitter.Emit(new MappingEnd());

        public void Key(string key) => Text(key);

        public void Pair(string key, string value) { Key(key); Text(value); }

        public void Pair(string key, int value) { Key(key); Plain(value.ToString(CultureInfo.InvariantCulture)); }

        public void Pair(string key, double value) { Key(key); Plain(value.ToString("R", CultureInfo.InvariantCulture)); }

        /// <summary>A string value: plain when YAML reads it back as the same string, quoted otherwise.</summary>
        public void Text(string value)
        {
            bool looksNull = value is "" or "~" or "null" or "Null" or "NULL";
            emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, looksNull ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
                isPlainImplicit: true, isQuotedImplicit: true));
        }

        public void FreeForm(object? value)
        {
            switch (value)
            {
                case null:
                    Plain("null");
                    break;
                case string s:
                    Text(s);
                    break;
                case RecipeList list:
                    emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
                    foreach (object? item in list) FreeForm(item);
                    emitter.Emit(new SequenceEnd());
                    break;
                case RecipeMap<object?> map:
                    BeginMap();
                    foreach ((string k, object? v) in map) { Text(k); FreeForm(v); }
                    EndMap();
                    break;
                default:
                    throw new ArgumentException($"Free-form recipe values must be strings, null, RecipeList or RecipeMap<object?>; got {value.GetType().Name}.", nameof(value));
            }
        }

        private void Plain(string value) =>
            emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
    }
}
