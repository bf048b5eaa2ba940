// LayerDensities: han2015 applies Han et al.'s published kept fractions by layer name (LeNet-300-100) or by position
// (AlexNet built with other names); uniform specs prune every layer or one kind; a JSON file names layers; granularity
// groups are kept or pruned whole; bad specs, densities and unmatched names are refused with what was expected.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Pruning;

public class LayerDensitiesTests
{
    [Fact]
    public void Han2015_matches_the_lenet_by_name_and_alexnet_by_position()
    {
        var lenet = ModelZoo.Create("lenet-300-100", 1);
        var applied = LayerDensities.Parse("han2015", "lenet-300-100").Apply(lenet);
        Assert.Equal(["fc1", "fc2", "fc3"], applied.Select(a => a.Layer.Name));
        Assert.Equal(0.08, applied[0].Layer.KeptFraction, 3);
        Assert.Equal(0.26, applied[2].Layer.KeptFraction, 2);

        var alexnet = new Sequential(new Conv2d(3, 4, 3, new Random(1)), new Flatten(), new Linear(4, 2, new Random(2)));
        var e = Assert.Throws<ArgumentException>(() => LayerDensities.Parse("han2015", "alexnet").Match(alexnet));
        Assert.Contains("8 entries", e.Message, StringComparison.Ordinal);
        var full = PaperNetworks.Create("alexnet");
        var matched = LayerDensities.Parse("HAN2015", "AlexNet").Match(full);
        Assert.Equal(8, matched.Count);
        Assert.Equal(0.84, matched[0].Kept);
        Assert.Equal("fc8", matched[7].Layer.Name);
    }

    [Fact]
    public void Uniform_specs_prune_every_layer_or_one_kind()
    {
        var model = new Sequential(new Conv2d(3, 8, 3, new Random(1)), new Flatten(), new Linear(8 * 4, 10, new Random(2)));
        Assert.Equal(2, LayerDensities.Parse("0.5", "x").Match(model).Count);
        var conv = LayerDensities.Parse("conv:0.25", "x").Apply(model);
        Assert.Equal("0", Assert.Single(conv).Layer.Name);
        Assert.Equal(0.25, conv[0].Layer.KeptFraction, 2);
        Assert.Equal(1.0, PrunableLayer.Find(model)[1].KeptFraction);
        Assert.Equal("2", Assert.Single(LayerDensities.Parse("fc:0.1", "x").Match(model)).Layer.Name);
        Assert.Empty(LayerDensities.Parse("dense", "x").Apply(model));
    }

    [Fact]
    public void Vector_granularity_keeps_or_prunes_whole_kernel_rows()
    {
        var conv = new Conv2d(4, 6, 3, new Random(3));
        var model = new Sequential(conv);
        LayerDensities.Parse("0.3", "x").Apply(model, Topiary.Experiments.Mao2017.Granularity("vector"));
        var w = conv.Weight.Value.Data;
        int keptRows = 0;
        for (int row = 0; row < w.Length / 3; row++)
        {
            int nonZero = w.AsSpan(row * 3, 3).ToArray().Count(v => v != 0);
            Assert.True(nonZero is 0 or 3, $"kernel row {row} is partly pruned");
            keptRows += nonZero == 3 ? 1 : 0;
        }
        Assert.InRange(keptRows, 20, 23); // 30% of 72 rows
    }

    [Fact]
    public void A_json_file_names_layers_and_bad_input_is_refused()
    {
        var model = ModelZoo.Create("lenet-300-100", 1);
        string path = Path.Combine(Path.GetTempPath(), $"densities-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{\"fc2\": 0.5}");
            var applied = LayerDensities.Parse(path, "x").Apply(model);
            Assert.Equal("fc2", Assert.Single(applied).Layer.Name);
            File.WriteAllText(path, "{\"fc9\": 0.5}");
            var unknown = Assert.Throws<ArgumentException>(() => LayerDensities.Parse(path, "x").Match(model));
            Assert.Contains("no layer 'fc9'", unknown.Message, StringComparison.Ordinal);
            File.WriteAllText(path, "{\"fc2\": 1.5}");
            Assert.Contains("outside [0, 1]", Assert.Throws<ArgumentException>(() => LayerDensities.Parse(path, "x")).Message, StringComparison.Ordinal);
            File.WriteAllText(path, "[1, 2]");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => LayerDensities.Parse(path, "x")).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentException>(() => LayerDensities.Parse("1.5", "x"));
        Assert.Contains("published no per-layer densities", Assert.Throws<ArgumentException>(() => LayerDensities.Parse("han2015", "resnet-50")).Message, StringComparison.Ordinal);
        Assert.Contains("not dense, han2015", Assert.Throws<ArgumentException>(() => LayerDensities.Parse("no-such-file.json", "x")).Message, StringComparison.Ordinal);
    }
}
