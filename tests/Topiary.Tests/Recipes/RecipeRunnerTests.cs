// RecipeRunner: the pre-flight plan check (no data needed), and tiny end-to-end runs on real MNIST (the first
// 1,500 training images): a magnitude recipe produces the reference, the pruned model with its per-layer targets,
// a .tpz container whose reported error is the decoded file's and an ONNX file that computes what the container
// computes; --resume reuses finished stages and recomputes exactly the stages whose recipe parts changed; the
// scalpel and energy-aware methods run through the same stages.
using Topiary.Compression;
using Topiary.Data;
using Topiary.Models;
using Topiary.Onnx;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Recipes;
using Topiary.Tests.IO;
using Topiary.Training;

namespace Topiary.Tests.Recipes;

public class RecipeRunnerTests
{
    internal const string Tiny =
        """
        model: lenet-300-100
        dataset: mnist
        seed: 3
        train_limit: 1500
        train: { epochs: 1, lr: 0.05, lr_policy: cosine }
        prune:
          schedule: iterative
          rounds: 2
          targets: { fc1: 0.9, fc2: 0.8, fc3: 0.5 }
          retrain: { epochs_per_round: 1, lr_scale: 0.5 }
        compress:
          bits: 4
          fine_tune_epochs: 1
        export:
          onnx: exported/tiny.onnx
          sparse_initializers: true
        """;

    private static Recipe Parse(string yaml) => RecipeLoader.LoadFromString(yaml, "tiny.yaml");

    [Fact]
    public void Plan_rejects_what_would_fail_or_be_ignored_before_any_training()
    {
        Recipe scalpel5 = Parse(
            """
            model: lenet-5
            dataset: mnist
            train: { epochs: 1 }
            prune: { method: scalpel, hardware: host, targets: { fc1: 0.9 } }
            compress: { bits: 5 }
            """);
        var lenet5 = ModelZoo.Create("lenet-5", 1);
        var e1 = Assert.Throws<ArgumentException>(() => RecipeRunner.CheckPlan(scalpel5, "lenet-5", lenet5, [1, 28, 28]));
        Assert.Contains("node-prunes conv1, conv2", e1.Message, StringComparison.Ordinal);
        // Without compress the same plan is fine on the host, and every layer is SIMD-aware on a Cortex-M4.
        RecipeRunner.CheckPlan(scalpel5 with { Compress = null }, "lenet-5", lenet5, [1, 28, 28]);
        var choices = ((ScalpelMethod)RecipeSchedules.Method(scalpel5)).Choices(lenet5);
        Assert.Equal(["NodePruning", "NodePruning", "SimdAware", "SimdAware"], choices.Select(c => c.Technique.ToString()));
        var m4 = scalpel5 with { Prune = scalpel5.Prune with { Settings = new ScalpelSettings { Hardware = "cortex-m4" } } };
        RecipeRunner.CheckPlan(m4, "lenet-5", lenet5, [1, 28, 28]);
        Assert.All(((ScalpelMethod)RecipeSchedules.Method(m4)).Choices(lenet5), c => Assert.Equal(2, c.GroupWidth));

        var convTarget = scalpel5 with { Compress = null, Prune = scalpel5.Prune with { Targets = new RecipeMap<LayerTarget>([new("conv1", new LayerTarget(Sparsity: 0.5))]) } };
        var e2 = Assert.Throws<ArgumentException>(() => RecipeRunner.CheckPlan(convTarget, "lenet-5", lenet5, [1, 28, 28]));
        Assert.Contains("gives 'conv1' NodePruning, not SIMD-aware pruning, so its target would be ignored; give targets only for fc1, fc2", e2.Message, StringComparison.Ordinal);

        // A model file's layer names are checked against the file's model.
        Recipe fromFile = Parse("model_file: m.safetensors\ndataset: mnist\nprune: { targets: { fc7: 0.5 } }\n");
        var e3 = Assert.Throws<ArgumentException>(() => RecipeRunner.CheckPlan(fromFile, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1), [1, 28, 28]));
        Assert.Contains("prune.targets: 'fc7' is not a weight layer of lenet-300-100 (fc1, fc2, fc3)", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_refuses_to_overwrite_its_input_model_file()
    {
        using var dir = new TempDirectory();
        string input = dir.File(RecipeRunner.PrunedFile);
        ModelFile.Save(input, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1));
        Recipe r = Parse($"model_file: {RecipeRunner.PrunedFile}\ndataset: mnist\nprune: {{ targets: {{ fc1: 0.5 }} }}\n");
        var e = Assert.Throws<ArgumentException>(() => RecipeRunner.Run(r, new RecipeRunOptions { OutputDirectory = dir.Path, BaseDirectory = dir.Path }));
        Assert.Contains("overwrite its input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void Tiny_recipe_runs_end_to_end_and_resumes_stage_by_stage()
    {
        using var dir = new TempDirectory();
        Recipe recipe = Parse(Tiny);
        var options = new RecipeRunOptions { OutputDirectory = dir.Path, Source = "tiny.yaml" };
        var messages = new Messages();
        RecipeRunReport report = RecipeRunner.Run(recipe, options, messages: messages);

        foreach (string f in new[] { "reference.safetensors", "pruned.safetensors", "model.tpz", "exported/tiny.onnx", "recipe.yaml",
                     "stages/reference.json", "stages/prune.json", "stages/compress.json" })
            Assert.True(File.Exists(dir.File(f)), f);
        Assert.Equal(["reference", "prune", "compress", "export"], report.Stages.Select(s => s.Name));
        Assert.All(report.Stages, s => Assert.False(s.Resumed));
        Assert.Equal(recipe, RecipeLoader.Load(dir.File("recipe.yaml")));

        // Pruning reached the per-layer targets (element granularity: exact up to rounding).
        var kept = report.Pruned.Layers.ToDictionary(l => l.Name, l => l.KeptFraction);
        Assert.Equal(0.1, kept["fc1"], 0.002);
        Assert.Equal(0.2, kept["fc2"], 0.002);
        Assert.Equal(0.5, kept["fc3"], 0.01);
        Assert.Equal(266_610, report.Reference.Params);
        Assert.Equal(report.Reference.Params / (double)report.Pruned.NonzeroParams, report.Pruned.Compression, 1e-9);
        Assert.True(report.Reference.TestError < 0.5, $"reference error {report.Reference.TestError}");

        // The reported container error is the file's; its size is the file's; 4-bit codes leave ≤ 15 non-zero values per layer.
        var test = TrainingRun.LoadDataset("mnist", DatasetSplit.Test);
        var container = ModelFile.Load(dir.File("model.tpz"));
        var compressed = Assert.IsType<CompressionResult>(report.Compressed);
        Assert.Equal(TrainingRun.Evaluate(container.Network, test).Error, compressed.ContainerError);
        Assert.Equal(new FileInfo(dir.File("model.tpz")).Length, compressed.BytesCompressed);
        Assert.Equal("conv=4,fc=4", compressed.WeightBits);
        Assert.True(compressed.Compression > 20, $"compression {compressed.Compression}");
        Assert.All(PrunableLayer.Find(container.Network), l => Assert.True(l.Weight.Value.Data.Where(v => v != 0).Distinct().Count() <= 15, l.Name));
        Assert.Equal(report.Pruned.NonzeroParams, PruningState.NonZeroParameters(ModelFile.Load(dir.File("pruned.safetensors")).Network));

        // The ONNX file (sparse initializers) computes what the container computes.
        var (onnx, _) = OnnxImporter.Import(dir.File("exported/tiny.onnx"));
        var batch = test.Slice(0, 16).AsTensor();
        float[] expected = container.Network.Forward(batch, training: false).Data.ToArray();
        float[] actual = onnx.Forward(batch, training: false).Data.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
        Assert.Equal("container", report.Exported!.Source);

        Assert.Contains(messages.Lines, m => m.StartsWith("iterative magnitude pruning (element/L1): 2 round(s) x 1 epoch(s)", StringComparison.Ordinal));

        // Resume: every stage is reused and the numbers are the recorded ones.
        RecipeRunReport again = RecipeRunner.Run(recipe, options with { Resume = true }, messages: messages);
        Assert.Contains(messages.Lines, m => m.StartsWith("prune: reusing ", StringComparison.Ordinal));
        Assert.Equal([true, true, true, false], again.Stages.Select(s => s.Resumed));
        Assert.Equal(report.Reference, again.Reference);
        Assert.Equal(report.Pruned.TestError, again.Pruned.TestError);
        Assert.Equal(report.Compressed!.ContainerError, again.Compressed!.ContainerError);

        // A changed compress section recomputes compression only, from the reused pruned model.
        Recipe fiveBits = recipe with { Compress = recipe.Compress! with { Bits = BitsSpec.All(5), FineTuneEpochs = 0, Huffman = false } };
        RecipeRunReport changed = RecipeRunner.Run(fiveBits, options with { Resume = true });
        Assert.Equal([true, true, false, false], changed.Stages.Select(s => s.Resumed));
        Assert.Equal("conv=5,fc=5", changed.Compressed!.WeightBits);
        Assert.Null(changed.Compressed.ContainerError);
        Assert.Equal(["dense", "pruning", "quantization"], changed.Compressed.Stages.Select(s => s.Name));
        Assert.True(File.Exists(dir.File(RecipeRunner.QuantizedFile)));
        Assert.Equal("quantized", changed.Exported!.Source);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void Scalpel_and_energy_aware_recipes_run_through_the_same_stages()
    {
        using var dir = new TempDirectory();
        Recipe scalpel = Parse(
            """
            model: lenet-300-100
            dataset: mnist
            train_limit: 1000
            train: { epochs: 1, lr: 0.05, lr_policy: cosine }
            prune:
              method: scalpel
              hardware: cortex-m4
              targets: { fc1: 0.75, fc2: 0.5 }
              retrain: { epochs_per_round: 1 }
            compress: { bits: 5, fine_tune_epochs: 0 }
            """);
        RecipeRunReport s = RecipeRunner.Run(scalpel, new RecipeRunOptions { OutputDirectory = Path.Combine(dir.Path, "s") });
        Assert.Equal("scalpel/cortex-m4", s.Pruned.Method);
        var fc1 = ModelFile.Load(s.Pruned.ModelFile).Network;
        var w = PrunableLayer.Find(fc1).First(l => l.Name == "fc1").Weight.Value.Data;
        for (int g = 0; g < w.Length; g += 2) Assert.Equal(w[g] == 0, w[g + 1] == 0); // aligned pairs: both kept or both gone
        Assert.Equal(0.25, s.Pruned.Layers.First(l => l.Name == "fc1").KeptFraction, 0.002);
        Assert.Equal(1.0, s.Pruned.Layers.First(l => l.Name == "fc3").KeptFraction);
        Assert.NotNull(s.Compressed!.ContainerError);

        Recipe energy = Parse(
            """
            model: lenet-300-100
            dataset: mnist
            train_limit: 1000
            train: { epochs: 1, lr: 0.05, lr_policy: cosine }
            prune:
              method: energy-aware
              tolerance: 0.02
              fine_tune_epochs: 0
              min_step: 0.25
              validation_images: 300
              sample_images: 60
              layers: [fc1]
            """);
        RecipeRunReport e = RecipeRunner.Run(energy, new RecipeRunOptions { OutputDirectory = Path.Combine(dir.Path, "e") });
        Assert.Equal("energy-aware", e.Pruned.Method);
        Assert.True(e.Pruned.Layers.First(l => l.Name == "fc1").KeptFraction < 1, "energy-aware pruning removed nothing from fc1");
        Assert.Equal(1.0, e.Pruned.Layers.First(l => l.Name == "fc2").KeptFraction);
        Assert.Null(e.Compressed);
        Assert.Equal(["reference", "prune"], e.Stages.Select(x => x.Name));
    }

    private sealed class Messages : IProgress<string>
    {
        public List<string> Lines { get; } = [];

        public void Report(string value) => Lines.Add(value);
    }
}
