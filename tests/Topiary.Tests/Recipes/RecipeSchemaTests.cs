// The recipe schema beyond the basic prune section: methods (scalpel, energy-aware) with their own keys, the
// compress and export sections, train_limit, dataset names and layer names checked against the zoo model — every
// rejection positioned at the key at fault — plus RecipeSchedules' mapping to the library's options.
using Topiary.Compression.Quantization;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Recipes;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Tests.Recipes;

public class RecipeSchemaTests
{
    private const string Head =
        """
        model: lenet-5
        dataset: mnist
        train: { epochs: 1 }
        prune:

        """;

    private static Recipe Load(string prune, string tail = "") =>
        RecipeLoader.LoadFromString(Head + prune + tail, "s.yaml");

    private static RecipeException Reject(string prune, string tail = "") =>
        Assert.Throws<RecipeException>(() => Load(prune, tail));

    private static Recipe RoundTrip(Recipe r)
    {
        Recipe back = RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "written.yaml");
        Assert.Equal(r, back);
        return back;
    }

    [Fact]
    public void Scalpel_ReadsHardwareAndWidth_AndRoundTrips()
    {
        Recipe r = Load("  method: scalpel\n  hardware: cortex-m4\n  simd_width: 4\n  schedule: iterative\n  rounds: 3\n  targets: { conv1: 0.3, fc2: 0.5 }\n");
        Assert.Equal("scalpel", r.Prune.Method);
        Assert.Equal(new ScalpelSettings { Hardware = "cortex-m4", SimdWidth = 4 }, r.Prune.Settings);
        Assert.Null(r.Prune.SettingsAs<EnergyAwareSettings>());
        string yaml = RecipeWriter.ToYaml(r);
        Assert.DoesNotContain("granularity", yaml, StringComparison.Ordinal); // not a scalpel key: the loader would reject it
        RoundTrip(r);
    }

    [Fact]
    public void EnergyAware_ReadsItsKeys_AndRoundTrips()
    {
        Recipe r = Load("  method: energy-aware\n  tolerance: 0.01\n  passes: 2\n  fine_tune_epochs: 0\n  lr_scale: 0.5\n" +
                        "  per_layer_tolerance: true\n  min_step: 0.25\n  validation_images: 100\n  sample_images: 50\n  layers: [fc1, conv2]\n");
        EnergyAwareSettings ea = Assert.IsType<EnergyAwareSettings>(r.Prune.Settings);
        Assert.Equal(0.01, ea.Tolerance);
        Assert.Equal(2, ea.Passes);
        Assert.Equal(0, ea.FineTuneEpochs);
        Assert.True(ea.PerLayerTolerance);
        Assert.Equal(0.25, ea.MinStep);
        Assert.Equal(100, ea.ValidationImages);
        Assert.Equal(50, ea.SampleImages);
        Assert.Equal(new NameList(["fc1", "conv2"]), ea.Layers);
        Assert.Empty(r.Prune.Targets);
        RoundTrip(r);

        var options = new EnergyAwareMethod(ea).Options(new TrainingRecipe(), RecipeSchedules.Schedule(r, "c.ckpt", resume: true));
        Assert.Equal(0.01, options.Tolerance);
        Assert.Equal(2, options.Passes);
        Assert.Equal(0.5f, options.LearningRateScale);
        Assert.Equal(50, options.Sampler.Images);
        Assert.Equal(["fc1", "conv2"], options.Layers);
        Assert.Equal("c.ckpt", options.CheckpointPath);
        Assert.True(options.Resume);
        options.Validate();
    }

    [Theory]
    [InlineData("  method: magnitude\n  hardware: host\n  targets: { fc1: 0.5 }\n", "'hardware' does not apply to method magnitude; it is a key of method scalpel", 6, "prune.hardware")]
    [InlineData("  method: scalpel\n  granularity: vector\n  targets: { fc1: 0.5 }\n", "'granularity' does not apply to method scalpel; it is a key of method magnitude and random (Scalpel prunes", 6, "prune.granularity")]
    [InlineData("  method: energy-aware\n  targets: { fc1: 0.5 }\n", "'targets' does not apply to method energy-aware; it is a key of method magnitude and scalpel", 6, "prune.targets")]
    [InlineData("  tolerance: 0.1\n  targets: { fc1: 0.5 }\n", "'tolerance' does not apply to method magnitude; it is a key of method energy-aware", 5, "prune.tolerance")]
    [InlineData("  method: scalpel\n  hardware: tpu\n  targets: { fc1: 0.5 }\n", "'hardware' must be one of host, cortex-m4, gpu; got 'tpu'", 6, "prune.hardware")]
    [InlineData("  method: scalpel\n  simd_width: 3\n  targets: { fc1: 0.5 }\n", "'simd_width' must be one of 2, 4, 8, 16; got 3", 6, "prune.simd_width")]
    [InlineData("  method: scalpel\n  schedule: agp\n  targets: { fc1: 0.5 }\n", "method scalpel runs one-shot or iterative schedules, not agp", 6, "prune.schedule")]
    [InlineData("  method: scalpel\n  hardware: gpu\n  targets: { fc1: 0.5 }\n", "'targets' is not used on hardware gpu", 7, "prune.targets")]
    [InlineData("  method: scalpel\n  scope: global\n", "scope must be layer", 6, "prune.scope")]
    [InlineData("  method: scalpel\n  global_sparsity: 0.5\n", "'global_sparsity' does not apply to method scalpel; it is a key of method magnitude", 6, "prune.global_sparsity")]
    [InlineData("  schedule: agp\n  rounds: 2\n  targets: { fc1: { threshold_std: 1 } }\n", "schedule agp needs a sparsity target for 'fc1'", 7, "prune.targets.fc1")]
    [InlineData("  targets: { fc9: 0.5 }\n", "unknown layer 'fc9' in 'targets'; lenet-5 has conv1, conv2, fc1, fc2 at line 5, column 14 (did you mean 'fc1'?)", 5, "prune.targets.fc9")]
    [InlineData("  method: energy-aware\n  layers: [fc1, fc1]\n", "layer 'fc1' is listed twice", 6, "prune.layers")]
    [InlineData("  method: energy-aware\n  layers: [conv3]\n", "unknown layer 'conv3' in 'layers'", 6, "prune.layers")]
    [InlineData("  method: energy-aware\n  layers: fc1\n", "'layers' must be a list of layer names", 6, "prune.layers")]
    [InlineData("  method: energy-aware\n  tolerance: 2\n", "'tolerance' must be in [0, 1], got 2", 6, "prune.tolerance")]
    [InlineData("  method: energy-aware\n  min_step: 0.6\n", "'min_step' must be in (0, 0.5], got 0.6", 6, "prune.min_step")]
    [InlineData("  method: energy-aware\n  passes: 0\n", "'passes' must be in [1, 1000], got 0", 6, "prune.passes")]
    public void MethodKeys_AreCheckedAtTheirLine(string prune, string expected, int line, string key)
    {
        var e = Reject(prune);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.KeyPath);
    }

    [Fact]
    public void Compress_BitsAsOneWidthOrPerKindAndLayer_AndExport()
    {
        Recipe r = Load("  targets: { fc1: 0.9 }\n",
            "compress:\n  bits: { conv: 7, fc1: 3 }\n  index_bits: 6\n  fine_tune_epochs: 0\n  fine_tune_lr_scale: 0.2\n  huffman: false\n" +
            "export:\n  onnx: m.onnx\n  sparse_initializers: true\n");
        CompressSpec c = Assert.IsType<CompressSpec>(r.Compress);
        Assert.Equal(new BitsSpec(7, null, new RecipeMap<int>([new("fc1", 3)])), c.Bits);
        Assert.Equal(BitsSpec.All(6), c.IndexBits);
        Assert.Equal(0.2, c.FineTuneLrScale);
        Assert.False(c.Huffman);
        Assert.Equal(new ExportSpec { Onnx = "m.onnx", SparseInitializers = true }, r.Export);
        RoundTrip(r);

        BitsRule weights = RecipeSchedules.WeightBits(c, "lenet-5");
        Assert.Equal("conv=7,fc=5,fc1=3", weights.ToString()); // fc falls back to the paper's 5
        Assert.Equal("conv=6,fc=6", RecipeSchedules.IndexBits(c)!.ToString());
        Assert.Equal("conv=6,fc=6", RecipeSchedules.WeightBits(new CompressSpec(), "lenet-300-100").ToString()); // the paper's
        Assert.Null(RecipeSchedules.IndexBits(new CompressSpec())); // best width per layer

        Recipe defaults = Load("  targets: { fc1: 0.9 }\n", "compress: {}\nexport: { sparse_initializers: false }\n");
        Assert.Equal(new CompressSpec(), defaults.Compress);
        Assert.Equal("model.onnx", defaults.Export!.Onnx);
    }

    [Theory]
    [InlineData("compress:\n  bits: 17\n", "'bits' must be in [1, 16], got 17", 7, "compress.bits")]
    [InlineData("compress:\n  bits: { fc: 0 }\n", "'fc' must be in [1, 16], got 0", 7, "compress.bits.fc")]
    [InlineData("compress:\n  bits: { fc3: 4 }\n", "unknown layer 'fc3' in 'bits' (keys are conv, fc or a layer name)", 7, "compress.bits.fc3")]
    [InlineData("compress:\n  bits: [4, 5]\n", "'bits' must be a width like 5 or a mapping", 7, "compress.bits")]
    [InlineData("compress:\n  index_bits: {}\n", "'index_bits' is empty", 7, "compress.index_bits")]
    [InlineData("compress:\n  huffman: yes please\n", "'huffman' must be true or false, got 'yes please'", 7, "compress.huffman")]
    [InlineData("compress:\n  fine_tune_epochs: -1\n", "'fine_tune_epochs' must be in [0, 100000], got -1", 7, "compress.fine_tune_epochs")]
    [InlineData("compress:\n  bitz: 4\n", "unknown key 'bitz' at line 7, column 3 (did you mean 'bits'?)", 7, "compress.bitz")]
    [InlineData("export:\n  onnx: ''\n", "'onnx' must not be empty", 7, "export.onnx")]
    [InlineData("export:\n  format: onnx\n", "unknown key 'format'", 7, "export.format")]
    [InlineData("compress: 5\n", "'compress' must be a mapping of keys, got '5'", 6, "compress")]
    public void CompressAndExport_AreCheckedAtTheirLine(string tail, string expected, int line, string key)
    {
        var e = Reject("  targets: { fc1: 0.9 }\n", tail);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.KeyPath);
    }

    [Fact]
    public void Dataset_TrainLimit_AndModelFileLayers()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeLoader.LoadFromString(Head.Replace("mnist", "mnst", StringComparison.Ordinal) + "  targets: { fc1: 0.5 }\n", "s.yaml"));
        Assert.Contains("'dataset' must be one of mnist, fashion-mnist; got 'mnst' at line 2, column 10 (did you mean 'mnist'?)", e.Message, StringComparison.Ordinal);
        Assert.Equal("fashion-mnist", RecipeLoader.LoadFromString(Head.Replace("mnist", "Fashion-MNIST", StringComparison.Ordinal) + "  targets: { fc1: 0.5 }\n", "s").Dataset);

        Recipe limited = RecipeLoader.LoadFromString("train_limit: 300\n" + Head + "  targets: { fc1: 0.5 }\n", "s");
        Assert.Equal(300, limited.TrainLimit);
        RoundTrip(limited);
        var e2 = Assert.Throws<RecipeException>(() => RecipeLoader.LoadFromString("train_limit: 0\n" + Head + "  targets: { fc1: 0.5 }\n", "s.yaml"));
        Assert.Contains("'train_limit' must be at least 1, got 0 at line 1", e2.Message, StringComparison.Ordinal);

        // A model file's layers are unknown until it is loaded: the names are checked when the run starts.
        Recipe fromFile = RecipeLoader.LoadFromString("model_file: m.safetensors\ndataset: mnist\nprune:\n  targets: { anything: 0.5 }\n", "s");
        Assert.Equal("anything", fromFile.Prune.Targets.Keys.Single());
    }

    [Theory]
    [InlineData(GranularityKind.Element, "element")]
    [InlineData(GranularityKind.Row, "row")]
    [InlineData(GranularityKind.Filter, "row")]
    [InlineData(GranularityKind.Kernel, "kernel")]
    [InlineData(GranularityKind.Vector, "vector")]
    [InlineData(GranularityKind.Simd2, "simd2")]
    [InlineData(GranularityKind.Simd16, "simd16")]
    public void Granularity_MapsToTheLibrarys(GranularityKind kind, string name) =>
        Assert.Equal(name, Granularities.Of(kind).Name);

    [Fact]
    public void Iterative_MapsEveryRetrainKey()
    {
        Recipe r = Load("  granularity: simd4\n  criterion: rms\n  schedule: iterative\n  rounds: 3\n  targets: { fc1: 0.9, fc2: { threshold_std: 1.5 } }\n" +
                        "  retrain: { epochs_per_round: 2, final_epochs: 5, lr_scale: 0.25, regularization: l1, freeze: conv, reinitialize: true }\n");
        var m = Assert.IsType<MagnitudeSettings>(r.Prune.Settings);
        var pruner = new MagnitudePruner(Granularities.Of(m.Granularity), m.Criterion);
        IterativePruningOptions o = RecipeSchedules.Schedule(r, "p.ckpt", resume: false).Iterative(pruner);
        Assert.Equal("simd4/Rms", o.Pruner.Name);
        Assert.Equal(3, o.Rounds);
        Assert.Equal(2, o.EpochsPerRound);
        Assert.Equal(5, o.FinalEpochs);
        Assert.Equal(0.25f, o.LearningRateScale);
        Assert.Equal(Regularization.L1, o.Regularization);
        Assert.Equal(FreezeMode.Conv, o.Freeze);
        Assert.True(o.Reinitialize);
        Assert.Equal(new LayerTarget(Sparsity: 0.9), o.Targets["fc1"]);
        Assert.Equal(new LayerTarget(S: 1.5), o.Targets["fc2"]);

        Recipe agp = Load("  schedule: agp\n  rounds: 3\n  targets: { fc1: 0.9 }\n  retrain: { epochs_per_round: 2 }\n");
        AgpOptions a = RecipeSchedules.Schedule(agp, null, resume: false).Agp(pruner);
        Assert.Equal(6, a.Epochs);
        Assert.Equal(0.9, a.FinalSparsity["fc1"]);
    }

    [Fact]
    public void Retrain_sigma_and_s_step_are_keys_of_the_mask_schedule_and_reach_its_options()
    {
        Recipe r = Load("  schedule: iterative\n  rounds: 2\n  targets: { fc1: { threshold_std: 1 } }\n  retrain: { sigma: current, s_step: 0.25 }\n");
        Assert.Equal(new RetrainSettings { Sigma = SigmaSource.Current, SStep = 0.25 }, r.Prune.Retrain);
        IterativePruningOptions o = RecipeSchedules.Schedule(r, null, resume: false).Iterative(MagnitudePruner.Elementwise);
        Assert.Equal((SigmaSource.Current, 0.25), (o.Sigma, o.SStep));
        Assert.Contains("    sigma: current\n    s_step: 0.25\n", RecipeWriter.ToYaml(r), StringComparison.Ordinal);
        RoundTrip(r);

        var e = Reject("  targets: { fc1: 0.5 }\n  retrain: { sigma: median }\n");
        Assert.Contains("'sigma' must be one of dense, current; got 'median' at line 6", e.Message, StringComparison.Ordinal);
        Assert.Equal("prune.retrain.sigma", e.KeyPath);
        var channel = Assert.Throws<RecipeException>(() => RecipeLoader.LoadFromString(
            "model_file: m.safetensors\ndataset: mnist\nprune:\n  method: channel\n  macs_reduction: 2\n  retrain: { s_step: 1 }\n", "c.yaml"));
        Assert.Contains("unknown key 's_step' at line 6, column 14 (expected one of: epochs_per_round, final_epochs, lr_scale)", channel.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StageKeys_DependOnlyOnTheirSections()
    {
        Recipe r = Load("  targets: { fc1: 0.9 }\n", "compress: { bits: 5 }\n");
        Recipe otherCompress = r with { Compress = new CompressSpec { Bits = BitsSpec.All(4) } };
        Recipe otherPrune = r with { Prune = r.Prune with { Rounds = 2, Schedule = ScheduleKind.Iterative } };
        const RecipeSections prune = RecipeSections.Data | RecipeSections.Train | RecipeSections.Prune;
        Assert.Equal(RecipeStageStore.Key(r, prune), RecipeStageStore.Key(otherCompress, prune));
        Assert.NotEqual(RecipeStageStore.Key(r, prune | RecipeSections.Compress), RecipeStageStore.Key(otherCompress, prune | RecipeSections.Compress));
        Assert.NotEqual(RecipeStageStore.Key(r, prune), RecipeStageStore.Key(otherPrune, prune));
        Assert.Equal(RecipeStageStore.Key(r, RecipeSections.Data | RecipeSections.Train), RecipeStageStore.Key(otherPrune, RecipeSections.Data | RecipeSections.Train));
    }
}
