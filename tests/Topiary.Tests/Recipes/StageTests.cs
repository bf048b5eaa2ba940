// The stage code that RecipeRunner and `topiary prune` / `topiary compress` share: PruneStage.Run prunes, measures
// and saves the model with the caller's metadata plus the method's label; PruneStage.InputShape falls back to
// MNIST's shape; RecipeSchedules.Compression turns a recipe's compress section into the library's settings (bits over the
// paper's rule). Synthetic data: no dataset is read.
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Recipes;
using Topiary.Tests.IO;

namespace Topiary.Tests.Recipes;

public class StageTests
{
    private static ImageDataset Synthetic(int count)
    {
        var rng = new Random(5);
        var images = new float[count * 28 * 28];
        for (int i = 0; i < images.Length; i++) images[i] = (float)rng.NextDouble();
        return new ImageDataset("synthetic", images, Enumerable.Range(0, count).Select(i => i % 10).ToArray(), 1, 28, 28, 10);
    }

    [Fact]
    public void Prune_stage_prunes_to_the_targets_and_saves_the_callers_metadata_with_the_method_label()
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create("lenet-300-100", 1);
        long dense = model.ParameterCount();
        var data = new PruneStageData(Synthetic(40), null, Synthetic(20), -1);
        var schedule = new PruningSchedule
        {
            Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.9) },
            Retrain = new RetrainSettings { EpochsPerRound = 0 },
        };
        var metadata = new Dictionary<string, string> { ["dataset"] = "mnist", ["pruned"] = "an older label", ["note"] = "kept" };
        string file = dir.File("p.safetensors");

        var (outcome, result) = PruneStage.Run(PruningMethods.Get("magnitude").Create(new MagnitudeSettings()), model, "lenet-300-100",
            [1, 28, 28], ModelZoo.RetrainingRecipe("lenet-300-100"), data, schedule, dense, file, metadata);

        var saved = ModelFile.Load(file);
        Assert.Equal(outcome.Label, saved.Metadata["pruned"]);
        Assert.NotEqual("an older label", outcome.Label);
        Assert.Equal("kept", saved.Metadata["note"]);
        Assert.Equal("mnist", saved.Metadata["dataset"]);
        Assert.Equal("an older label", metadata["pruned"]); // the caller's dictionary is not changed
        var fc1 = PruningState.Densities(saved.Network).Single(d => d.Name == "fc1");
        Assert.InRange(fc1.KeptFraction, 0.09, 0.11);
        Assert.Equal(PruningState.NonZeroParameters(saved.Network), result.NonzeroParams);
        Assert.Equal((double)dense / result.NonzeroParams, result.Compression, 9);
        Assert.Equal(file, result.ModelFile);
        Assert.Equal(0.1, result.Layers.Single(l => l.Name == "fc1").KeptFraction, 2);
    }

    [Fact]
    public void Prune_stage_refuses_a_layer_the_model_does_not_have()
    {
        using var dir = new TempDirectory();
        var schedule = new PruningSchedule { Targets = new Dictionary<string, LayerTarget> { ["conv9"] = new(Sparsity: 0.5) } };
        var e = Assert.ThrowsAny<ArgumentException>(() => PruneStage.Run(PruningMethods.Get("magnitude").Create(new MagnitudeSettings()),
            ModelZoo.Create("lenet-300-100", 1), "lenet-300-100", [1, 28, 28], ModelZoo.RetrainingRecipe("lenet-300-100"),
            new PruneStageData(Synthetic(10), null, Synthetic(10), -1), schedule, 1, dir.File("p.safetensors"), new Dictionary<string, string>()));
        Assert.Contains("conv9", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("p.safetensors")));
    }

    [Fact]
    public void Input_shape_is_the_zoo_models_or_mnists_for_an_unknown_model()
    {
        var lenet5 = ModelZoo.Create("lenet-5", 1);
        Assert.Equal(ModelZoo.Get("lenet-5").InputShape, PruneStage.InputShape("lenet-5", new Dictionary<string, string>(), lenet5, "lenet-5"));
        Assert.Equal([1, 28, 28], PruneStage.InputShape("imported", new Dictionary<string, string>(), ModelZoo.Create("lenet-300-100", 1), "x.onnx"));
    }

    [Fact]
    public void Compress_settings_put_the_sections_bits_over_the_papers_rule()
    {
        var none = RecipeSchedules.Compression(new CompressSpec(), "lenet-300-100", 4);
        Assert.Equal(BitsRule.Paper("lenet-300-100").ToString(), none.WeightBits!.ToString());
        Assert.Null(none.IndexBits);
        Assert.True(none.Huffman);
        Assert.Equal(4, none.Seed);

        var spec = new CompressSpec
        {
            Bits = new BitsSpec(null, null, new RecipeMap<int>([KeyValuePair.Create("fc1", 4)])),
            IndexBits = new BitsSpec(null, 3, RecipeMap<int>.Empty),
            FineTuneEpochs = 0,
            FineTuneLrScale = 0.5,
            Huffman = false,
        };
        var s = RecipeSchedules.Compression(spec, "lenet-5", 2);
        Assert.Equal("conv=8,fc=5,fc1=4", s.WeightBits!.ToString());
        Assert.Equal("conv=8,fc=3", s.IndexBits!.ToString());
        Assert.Equal((0, 0.5, false), (s.FineTuneEpochs, s.FineTuneLrScale, s.Huffman));
    }
}
