// RecipeRunner: one recipe drives a whole run, in stages, into one output directory:
//   reference  train the dense reference (TrainingRun, checkpoint reference.ckpt) → reference.safetensors,
//              or load model_file;
//   prune      the recipe's method (any registered IPruningMethod: magnitude, random, scalpel, energy-aware,
//              channel) under the shared schedule → pruned.safetensors (masks kept; checkpoint prune.ckpt);
//   compress   k-means weight sharing, centroid fine-tuning, relative indices + Huffman → model.tpz, decoded again and
//              evaluated (huffman: false → quantized.safetensors);
//   export     the final model (decoded container, quantized or pruned) → ONNX.
// The plan is checked before any training (layer names, Scalpel's choice vs targets and compress). Every finished
// stage is recorded (RecipeStageStore); with Resume a recorded stage is reused, an interrupted one continues from
// its checkpoint (training epochs, pruning rounds, energy-aware layers), and a stage whose recipe parts changed is
// recomputed with every stage after it. Data: the first train_limit training images (minus, for energy-aware, the
// validation images held out after them); errors are on the whole test set. No console output: progress goes to
// IProgress<TrainingProgress>, stage messages to IProgress<string>.
using System.Diagnostics;
using Topiary.Compression;
using Topiary.Data;
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>Options of <see cref="RecipeRunner.Run"/>.</summary>
public sealed record RecipeRunOptions
{
    /// <summary>Directory for the model files, checkpoints and stage records (created).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Reuse finished stages and continue interrupted ones from their checkpoints.</summary>
    public bool Resume { get; init; }

    /// <summary>Directory that a relative <c>model_file</c> is resolved against (default: the current directory).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Dataset cache directory (default: <c>TOPIARY_DATA</c> or <c>~/.cache/topiary</c>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Label of the recipe in the report (usually its path).</summary>
    public string Source { get; init; } = "recipe";
}

/// <summary>Runs a recipe end to end.</summary>
public static class RecipeRunner
{
    /// <summary>File names inside the output directory.</summary>
    public const string ReferenceFile = "reference.safetensors", PrunedFile = "pruned.safetensors", ContainerFile = "model.tpz",
        QuantizedFile = "quantized.safetensors", RecipeCopyFile = "recipe.yaml";

    /// <summary>Runs <paramref name="recipe"/>: reference, prune, then compress and export when the recipe has those sections.</summary>
    /// <exception cref="ArgumentException">A plan that cannot work (unknown layer, targets Scalpel would ignore, compress after
    /// node pruning or of a non-zoo model, too few training images), or an output path equal to the input model file.</exception>
    /// <exception cref="InvalidDataException">A corrupt model file, stage record or checkpoint (e.g. one from other options).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; finished stages and the last checkpoint stay.</exception>
    public static RecipeRunReport Run(Recipe recipe, RecipeRunOptions options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        var ct = cancellationToken;
        var total = Stopwatch.StartNew();
        string dir = Path.GetFullPath(options.OutputDirectory);
        string Out(string file) => Path.Combine(dir, file);
        string? modelFile = recipe.ModelFile is null ? null : Path.GetFullPath(recipe.ModelFile, options.BaseDirectory ?? Directory.GetCurrentDirectory());
        string? onnxPath = recipe.Export is { } ex ? Path.GetFullPath(ex.Onnx, dir) : null;
        if (modelFile is not null && new[] { Out(ReferenceFile), Out(PrunedFile), Out(ContainerFile), Out(QuantizedFile), Out(RecipeCopyFile), onnxPath }.Contains(modelFile))
            throw new ArgumentException($"The run would overwrite its input model file '{modelFile}'; choose another output directory or export path.", nameof(options));

        // The starting model and the plan, checked before any long work.
        LoadedModel? given = modelFile is null ? null : ModelFile.Load(modelFile);
        string name = given?.Name ?? ModelZoo.Get(recipe.Model ?? throw new ArgumentException("The recipe names neither model nor model_file.", nameof(recipe))).Name;
        var transform = given is null ? PixelTransform.Caffe : ModelFile.InputTransform(given.Metadata);
        int[] inputShape = given is null ? ModelZoo.Get(name).InputShape : PruneStage.InputShape(given.Name, given.Metadata, given.Network, modelFile!);
        IPruningMethod method = RecipeSchedules.Method(recipe);
        CheckPlan(recipe, method, name, given?.Network ?? ModelZoo.Create(name, recipe.Seed), inputShape);
        Directory.CreateDirectory(dir);
        var stages = new StageRunner(new RecipeStageStore(dir), recipe, options.Resume, messages);
        RecipeWriter.Write(Out(RecipeCopyFile), recipe);
        stages.Files.Add(Out(RecipeCopyFile));

        // Data is loaded when a stage first needs it (a fully resumed run needs none).
        int held = method.ValidationImages;
        var data = new Lazy<PruneStageData>(() =>
            PruneStage.Data(recipe.Dataset, held, recipe.TrainLimit, options.CacheDirectory, transform, messages, ct),
            LazyThreadSafetyMode.ExecutionAndPublication);
        var training = recipe.Train ?? ModelZoo.RetrainingRecipe(name);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["dataset"] = recipe.Dataset, ["recipe"] = options.Source };
        if (given?.Metadata.TryGetValue(ModelFile.InputTransformKey, out string? t) == true) metadata[ModelFile.InputTransformKey] = t;

        // Stage 1: the dense reference (the given model file, or trained).
        var (model, reference) = given is not null
            ? stages.Given("reference", () =>
            {
                messages?.Report($"reference: {modelFile}");
                return (given.Network, ModelSummary.Of(given.Network, TrainingRun.Evaluate(given.Network, data.Value.Test, ct).Error));
            })
            : stages.Run("reference", RecipeSections.Data | RecipeSections.Train, Out(ReferenceFile), resume =>
            {
                messages?.Report("training the dense reference");
                var run = TrainingRun.Run(new TrainingRunOptions
                {
                    Model = name,
                    Dataset = recipe.Dataset,
                    Recipe = training,
                    Seed = recipe.Seed,
                    TrainLimit = data.Value.TrainLimit > 0 ? data.Value.TrainLimit : null,
                    CacheDirectory = options.CacheDirectory,
                    CheckpointPath = Out("reference.ckpt"),
                    Resume = resume,
                }, progress, messages, ct);
                ModelFile.Save(Out(ReferenceFile), name, run.Network, metadata);
                return (run.Network, ModelSummary.Of(run.Network, run.TestError));
            });

        // Stage 2: pruning.
        (model, var pruned) = stages.Run("prune", RecipeSections.Data | RecipeSections.Train | RecipeSections.Prune, Out(PrunedFile), resume =>
        {
            var (outcome, result) = PruneStage.Run(method, model, name, inputShape, training, data.Value,
                RecipeSchedules.Schedule(recipe, Out("prune.ckpt"), resume), reference.Params, Out(PrunedFile), metadata, progress, messages, ct);
            return (outcome.Model, result);
        });

        // Stage 3: compression (k-means, fine-tuning, Huffman into the container; or weight sharing only).
        Module final = model;
        CompressionResult? compressed = null;
        if (recipe.Compress is { } c)
        {
            string file = Out(c.Huffman ? ContainerFile : QuantizedFile);
            (final, compressed) = stages.Run("compress", RecipeSections.Data | RecipeSections.Train | RecipeSections.Prune | RecipeSections.Compress, file, _ =>
            {
                var (result, decoded, _) = ModelCompressor.Run(name, model, training, data.Value.Train, data.Value.Test,
                    RecipeSchedules.Compression(c, name, recipe.Seed), file, metadata, progress, messages, ct);
                return (decoded, result);
            });
        }
        string finalSource = recipe.Compress is null ? "pruned" : recipe.Compress.Huffman ? "container" : "quantized";

        // Stage 4: export (cheap: always redone).
        RecipeExportResult? exported = null;
        if (recipe.Export is { } e)
        {
            (_, exported) = stages.Given("export", () =>
            {
                messages?.Report($"exporting the {finalSource} model to {onnxPath}");
                Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
                OnnxExporter.Export(final, inputShape, onnxPath!, new OnnxExportOptions { SparseInitializers = e.SparseInitializers });
                stages.Files.Add(onnxPath!);
                return (final, new RecipeExportResult(onnxPath!, e.SparseInitializers, new FileInfo(onnxPath!).Length, finalSource));
            });
        }

        return new RecipeRunReport(options.Source, name, recipe.Dataset, recipe.Seed, dir, reference, pruned, compressed, exported, stages.Done,
            stages.Files, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Checks what can be checked before training: the method's own plan (layer names, what it does to the shapes
    /// against a compression stage), target layer names, and compression (zoo architecture, zoo shapes, layer names).
    /// </summary>
    /// <exception cref="ArgumentException">The plan cannot work; the message names the recipe key.</exception>
    internal static void CheckPlan(Recipe recipe, string name, Module model, int[] inputShape) =>
        CheckPlan(recipe, RecipeSchedules.Method(recipe), name, model, inputShape);

    private static void CheckPlan(Recipe recipe, IPruningMethod method, string name, Module model, int[] inputShape)
    {
        method.CheckPlan(model, name, inputShape, RecipeSchedules.Schedule(recipe, null, false), recipe.Compress is not null);
        PrunableLayer.CheckNames(model, name, "prune.targets", recipe.Prune.Targets.Keys);
        if (recipe.Compress is not { } c) return;
        if (!ModelZoo.Names.Contains(name))
            throw new ArgumentException($"compress: '{name}' is not a zoo architecture; the .tpz container rebuilds zoo models only.", nameof(recipe));
        PrunableLayer.CheckNames(model, name, "compress.bits", c.Bits?.Layers.Keys ?? Enumerable.Empty<string>());
        PrunableLayer.CheckNames(model, name, "compress.index_bits", c.IndexBits?.Layers.Keys ?? Enumerable.Empty<string>());
        var zoo = ModelZoo.Create(name, 0).NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Shape.ToArray(), StringComparer.Ordinal);
        foreach (var (n, p) in model.NamedParameters())
            if (!zoo.TryGetValue(n, out int[]? shape) || !shape.AsSpan().SequenceEqual(p.Value.Shape))
                throw new ArgumentException($"compress: parameter '{n}' of the model does not have {name}'s shape (a node-pruned model?); the .tpz container holds zoo shapes only.", nameof(recipe));
    }

    /// <summary>Runs the stages of one output directory: a stage whose model file and result are recorded is reused on
    /// --resume when recorded from the same recipe parts; otherwise it runs, told whether an interrupted run of it may
    /// continue from its checkpoint (not when the recipe changed since).</summary>
    private sealed class StageRunner(RecipeStageStore store, Recipe recipe, bool resume, IProgress<string>? messages)
    {
        public List<RecipeStage> Done { get; } = [];

        public List<string> Files { get; } = [];

        /// <summary>A stage that is always run (nothing recorded).</summary>
        public (Module Model, T Result) Given<T>(string stage, Func<(Module, T)> run)
        {
            var sw = Stopwatch.StartNew();
            var result = run();
            Done.Add(new RecipeStage(stage, false, sw.Elapsed.TotalSeconds));
            return result;
        }

        /// <summary>A recorded stage whose model is <paramref name="file"/>, keyed by the recipe's <paramref name="sections"/>.</summary>
        public (Module Model, T Result) Run<T>(string stage, RecipeSections sections, string file, Func<bool, (Module, T)> run) where T : class
        {
            var sw = Stopwatch.StartNew();
            string key = RecipeStageStore.Key(recipe, sections);
            var (state, done) = resume ? store.Look<T>(stage, key) : (StageState.Missing, null);
            if (state == StageState.Done && !File.Exists(file))
            {
                messages?.Report($"{stage}: recorded as done but {file} is missing: recomputing");
                (state, done) = (StageState.Stale, null);
            }
            else if (resume)
            {
                messages?.Report(state switch
                {
                    StageState.Done => $"{stage}: reusing {file}",
                    StageState.Stale => $"{stage}: the recipe changed since the last run: recomputing",
                    _ => $"{stage}: not finished before: running (continuing from its checkpoint if there is one)",
                });
            }
            var (model, result) = done is not null ? (ModelFile.Load(file).Network, done) : run(resume && state == StageState.Missing);
            if (done is null) store.Save(stage, key, result);
            Files.Add(file);
            Done.Add(new RecipeStage(stage, done is not null, sw.Elapsed.TotalSeconds));
            return (model, result);
        }
    }
}
