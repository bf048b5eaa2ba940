// RecipeWriter: Recipe -> YAML text in the loader's schema, so ToYaml then LoadFromString gives an equal
// Recipe (numbers are written in round-trip form; every field is written, defaults included, so the
// file documents the whole run; only the keys of the recipe's pruning method are written, from its registration). A string that
// YAML would read as null is quoted. The writer does not validate: write a recipe that the loader would
// reject and the load fails. ToYaml(recipe, sections) writes a subset of the sections — the run's stage
// keys (a stage's output is reused on resume only when the sections it depends on are unchanged).
using System.Globalization;
using Topiary.Pruning.Methods;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>Writes recipes as YAML.</summary>
public static class RecipeWriter
{
    /// <summary>The recipe as YAML text (UTF-8 friendly, LF line ends, trailing newline).</summary>
    /// <exception cref="ArgumentException"><see cref="Recipe.Prune"/> is null.</exception>
    public static string ToYaml(Recipe recipe) => ToYaml(recipe, RecipeSections.All);

    /// <summary>
    /// The parts of the recipe named by <paramref name="sections"/> as YAML (<see cref="RecipeSections.Data"/>: model,
    /// model_file, dataset, seed, train_limit; the others: their section). With <see cref="RecipeSections.All"/> this
    /// is the whole recipe, which the loader reads back equal.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="Recipe.Prune"/> is null while <see cref="RecipeSections.Prune"/> is asked for.</exception>
    public static string ToYaml(Recipe recipe, RecipeSections sections)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var w = new Writer(new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: 120, isCanonical: false,
            maxSimpleKeyLength: 1024, skipAnchorName: false, indentSequences: false, newLine: "\n")));
        w.Emit(new StreamStart());
        w.Emit(new DocumentStart());
        w.BeginMap();
        if (sections.HasFlag(RecipeSections.Data))
        {
            if (recipe.Model is not null) w.Pair("model", recipe.Model);
            if (recipe.ModelFile is not null) w.Pair("model_file", recipe.ModelFile);
            w.Pair("dataset", recipe.Dataset);
            w.Pair("seed", recipe.Seed);
            if (recipe.TrainLimit is { } limit) w.Pair("train_limit", limit);
        }
        if (sections.HasFlag(RecipeSections.Train) && recipe.Train is { } t)
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
        if (sections.HasFlag(RecipeSections.Prune))
            WritePrune(w, recipe.Prune ?? throw new ArgumentException("Recipe.Prune is null.", nameof(recipe)));
        if (sections.HasFlag(RecipeSections.Compress) && recipe.Compress is { } c)
        {
            w.Key("compress");
            w.BeginMap();
            if (c.Bits is { } bits) { w.Key("bits"); WriteBits(w, bits); }
            if (c.IndexBits is { } ib) { w.Key("index_bits"); WriteBits(w, ib); }
            w.Pair("fine_tune_epochs", c.FineTuneEpochs);
            w.Pair("fine_tune_lr_scale", c.FineTuneLrScale);
            w.Pair("huffman", c.Huffman);
            w.EndMap();
        }
        if (sections.HasFlag(RecipeSections.Export) && recipe.Export is { } e)
        {
            w.Key("export");
            w.BeginMap();
            w.Pair("onnx", e.Onnx);
            w.Pair("sparse_initializers", e.SparseInitializers);
            w.EndMap();
        }
        w.EndMap();
        w.Emit(new DocumentEnd(isImplicit: true));
        w.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WritePrune(Writer w, PruneSpec p)
    {
        PruningMethod method = PruningMethods.Get(p.Method);
        w.Key("prune");
        w.BeginMap();
        w.Pair("method", method.Name);
        foreach (Setting option in method.Options)
        {
            switch (option.Get(p.Settings))
            {
                case null: break;
                case NameList list: w.List(option.Key, list); break;
                case int i: w.Pair(option.Key, i); break;
                case double d: w.Pair(option.Key, d); break;
                case bool b: w.Pair(option.Key, b); break;
                case object value: w.Pair(option.Key, option.Format(value)!); break;
            }
        }
        if (method.Parts.HasFlag(ScheduleParts.Rounds))
        {
            w.Pair("schedule", RecipeNames.NameOf(RecipeNames.Schedules, p.Schedule));
            w.Pair("rounds", p.Rounds);
        }
        if (method.Parts.HasFlag(ScheduleParts.Scope)) w.Pair("scope", RecipeNames.NameOf(RecipeNames.Scopes, p.Scope));
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
        if (p.Retrain is { } r && method.Parts.HasFlag(ScheduleParts.Retrain))
        {
            w.Key("retrain");
            w.BeginMap();
            w.Pair("epochs_per_round", r.EpochsPerRound);
            w.Pair("final_epochs", r.FinalEpochs);
            w.Pair("lr_scale", r.LrScale);
            if (method.Parts.HasFlag(ScheduleParts.RetrainExtras))
            {
                w.Pair("regularization", SettingText.NameOf(r.Regularization));
                w.Pair("freeze", SettingText.NameOf(r.Freeze));
                w.Pair("reinitialize", r.Reinitialize);
            }
            w.EndMap();
        }
        w.EndMap();
    }

    private static void WriteBits(Writer w, BitsSpec bits)
    {
        w.BeginMap(MappingStyle.Flow);
        if (bits.Conv is { } conv) w.Pair("conv", conv);
        if (bits.Fc is { } fc) w.Pair("fc", fc);
        foreach ((string layer, int b) in bits.Layers) w.Pair(layer, b);
        w.EndMap();
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

        public void Pair(string key, bool value) { Key(key); Plain(value ? "true" : "false"); }

        public void List(string key, IEnumerable<string> items)
        {
            Key(key);
            Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Flow));
            foreach (string item in items) Text(item);
            Emit(new SequenceEnd());
        }

        /// <summary>A string value: plain when YAML reads it back as the same string, quoted otherwise.</summary>
        public void Text(string value)
        {
            bool looksNull = value is "" or "~" or "null" or "Null" or "NULL";
            emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, looksNull ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
                isPlainImplicit: true, isQuotedImplicit: true));
        }

        private void Plain(string value) =>
            emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
    }
}
