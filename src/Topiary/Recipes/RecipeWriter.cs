// RecipeWriter: Recipe -> YAML text in the loader's schema, so ToYaml then LoadFromString gives an equal
// Recipe (numbers are written in round-trip form; every field is written, defaults included, so the
// file documents the whole run). Scalar keys are written generically from the [Setting]s of each section's record,
// in declaration order; of the prune section only the keys of the recipe's pruning method (PruneSpec.KeysOf). A
// string that YAML would read as null is quoted. The writer does not validate: write a recipe that the loader would
// reject and the load fails. ToYaml(recipe, sections) writes a subset of the sections — the run's stage
// keys (a stage's output is reused on resume only when the sections it depends on are unchanged).
using System.Globalization;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Settings;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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
        if (sections.HasFlag(RecipeSections.Data)) w.Settings(recipe);
        if (sections.HasFlag(RecipeSections.Train) && recipe.Train is { } t) w.Section("train", () => w.Settings(t));
        if (sections.HasFlag(RecipeSections.Prune))
            WritePrune(w, recipe.Prune ?? throw new ArgumentException("Recipe.Prune is null.", nameof(recipe)));
        if (sections.HasFlag(RecipeSections.Compress) && recipe.Compress is { } c)
        {
            w.Section("compress", () =>
            {
                if (c.Bits is { } bits) WriteBits(w, "bits", bits);
                if (c.IndexBits is { } ib) WriteBits(w, "index_bits", ib);
                w.Settings(c);
            });
        }
        if (sections.HasFlag(RecipeSections.Export) && recipe.Export is { } e) w.Section("export", () => w.Settings(e));
        w.EndMap();
        w.Emit(new DocumentEnd(isImplicit: true));
        w.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WritePrune(Writer w, PruneSpec p)
    {
        PruningMethod method = PruningMethods.Get(p.Method);
        string[] keys = PruneSpec.KeysOf(method).Where(k => k != "method").ToArray();
        w.Section("prune", () =>
        {
            w.Key("method");
            w.Text(method.Name);
            w.Settings(p.Settings);
            w.Settings(p, keys);
            if (p.Targets is { Count: > 0 } targets)
            {
                w.Section("targets", () =>
                {
                    foreach ((string layer, LayerTarget target) in targets)
                        w.Section(layer, () => w.Settings(target), MappingStyle.Flow);
                });
            }
            if (p.Retrain is { } r && method.Parts.HasFlag(ScheduleParts.Retrain))
                w.Section("retrain", () => w.Settings(r, PruneSpec.RetrainKeysOf(method).ToArray()));
        });
    }

    private static void WriteBits(Writer w, string key, BitsSpec bits) => w.Section(key, () =>
    {
        if (bits.Conv is { } conv) w.Number("conv", conv);
        if (bits.Fc is { } fc) w.Number("fc", fc);
        foreach ((string layer, int b) in bits.Layers) w.Number(layer, b);
    }, MappingStyle.Flow);

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

        /// <summary>A key and a mapping written by <paramref name="body"/>.</summary>
        public void Section(string key, Action body, MappingStyle style = MappingStyle.Block)
        {
            Key(key);
            BeginMap(style);
            body();
            EndMap();
        }

        public void Number(string key, int value)
        {
            Key(key);
            Plain(value.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>Every setting of <paramref name="record"/> that has a value (only <paramref name="keys"/> when given):
        /// numbers and booleans plain, lists as flow sequences, names and strings as text.</summary>
        public void Settings(object record, IReadOnlyCollection<string>? keys = null)
        {
            foreach (Setting s in Setting.Of(record.GetType()))
            {
                if ((keys is not null && !keys.Contains(s.Key)) || s.Get(record) is not { } value) continue;
                Key(s.Key);
                if (value is NameList list)
                {
                    Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Flow));
                    foreach (string item in list) Text(item);
                    Emit(new SequenceEnd());
                }
                else if (value is int or double or float or bool) Plain(s.Format(value)!);
                else Text(s.Format(value)!);
            }
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
