// RecipeLoader / RecipeWriter: the shipped examples load; ToYaml -> Load is the identity; every class of
// invalid recipe is rejected with a RecipeException naming the source, line, column and key.
using Topiary.Pruning.Methods;
using Topiary.Pruning;
using Topiary.Recipes;
using Topiary.Tests.IO;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Tests.Recipes;

public class RecipeLoaderTests
{
    // Line numbers matter: the error tests below refer to them.
    internal const string Valid =
        """
        model: lenet-300-100
        dataset: mnist
        seed: 1
        train:
          epochs: 20
          batch_size: 64
          optimizer: sgd
          lr: 0.05
          momentum: 0.9
          weight_decay: 5.0e-4
          l1: 0
          lr_policy: cosine
        prune:
          method: magnitude
          granularity: element
          criterion: l1
          schedule: iterative
          rounds: 5
          scope: layer
          targets:
            fc1: { sparsity: 0.92 }
            fc2: { sparsity: 0.91 }
            fc3: { threshold_std: 0.8 }
          retrain:
            epochs_per_round: 4
            lr_scale: 0.1
            regularization: l2
            freeze: none
            reinitialize: false
        compress: { bits: { fc: 5, fc1: 6 }, index_bits: 4, fine_tune_epochs: 2, huffman: true }
        export:
          onnx: out/model.onnx
        """;

    internal static string RepoFile(string relative)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Topiary.slnx")))
                return Path.Combine(d.FullName, relative);
        throw new InvalidOperationException("Topiary.slnx not found above " + AppContext.BaseDirectory);
    }

    private static RecipeException Reject(string yaml, string source = "test.yaml") =>
        Assert.Throws<RecipeException>(() => RecipeLoader.LoadFromString(yaml, source));

    private static string Replace(string yaml, string from, string to)
    {
        Assert.Contains(from, yaml, StringComparison.Ordinal);
        return yaml.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_LoadsEveryField()
    {
        Recipe r = RecipeLoader.LoadFromString(Valid, "valid.yaml");
        Assert.Equal("lenet-300-100", r.Model);
        Assert.Null(r.ModelFile);
        Assert.Equal("mnist", r.Dataset);
        Assert.Equal(1, r.Seed);
        TrainingRecipe t = Assert.IsType<TrainingRecipe>(r.Train);
        Assert.Equal(20, t.Epochs);
        Assert.Equal(64, t.BatchSize);
        Assert.Equal(OptimizerKind.Sgd, t.Optimizer);
        Assert.Equal(0.05f, t.LearningRate);
        Assert.Equal(5e-4f, t.WeightDecay);
        Assert.Equal(LrPolicy.Cosine, t.Policy);
        Assert.Equal(ScheduleKind.Iterative, r.Prune.Schedule);
        Assert.Equal(5, r.Prune.Rounds);
        Assert.Equal(new[] { "fc1", "fc2", "fc3" }, r.Prune.Targets.Keys.ToArray());
        Assert.Equal(new LayerTarget(Sparsity: 0.92), r.Prune.Targets["fc1"]);
        Assert.Equal(new LayerTarget(S: 0.8), r.Prune.Targets["fc3"]);
        RetrainSettings retrain = Assert.IsType<RetrainSettings>(r.Prune.Retrain);
        Assert.Equal(4, retrain.EpochsPerRound);
        Assert.Equal(0.1, retrain.LrScale);
        Assert.Equal(Regularization.L2, retrain.Regularization);
        Assert.Equal(FreezeMode.None, retrain.Freeze);
        Assert.False(retrain.Reinitialize);
        CompressSpec compress = Assert.IsType<CompressSpec>(r.Compress);
        Assert.Equal(new BitsSpec(null, 5, new RecipeMap<int>([new("fc1", 6)])), compress.Bits);
        Assert.Equal(BitsSpec.All(4), compress.IndexBits);
        Assert.Equal(2, compress.FineTuneEpochs);
        Assert.True(compress.Huffman);
        Assert.Equal(new ExportSpec { Onnx = "out/model.onnx" }, r.Export);
    }

    [Fact]
    public void Defaults_ApplyToOmittedKeys()
    {
        Recipe r = RecipeLoader.LoadFromString(
            """
            model_file: runs/lenet5.safetensors
            dataset: mnist
            prune:
              targets:
                conv1: 0.3
            """, "minimal.yaml");
        Assert.Null(r.Model);
        Assert.Equal("runs/lenet5.safetensors", r.ModelFile);
        Assert.Null(r.Train);
        Assert.Equal(1, r.Seed);
        Assert.Equal(new PruneSpec { Targets = new RecipeMap<LayerTarget>([new("conv1", new LayerTarget(Sparsity: 0.3))]) }, r.Prune);
        Assert.Null(r.Prune.Retrain);
        Assert.Null(r.Compress);
    }

    [Theory]
    [InlineData("recipes/han2015-lenet-300-100.yaml", "lenet-300-100", new[] { "fc1", "fc2", "fc3" }, new[] { 0.92, 0.91, 0.74 })]
    [InlineData("recipes/han2015-lenet-5.yaml", "lenet-5", new[] { "conv1", "conv2", "fc1", "fc2" }, new[] { 0.34, 0.88, 0.92, 0.81 })]
    public void Examples_Load(string file, string model, string[] layers, double[] sparsity)
    {
        Recipe r = RecipeLoader.Load(RepoFile(file));
        Assert.Equal(model, r.Model);
        Assert.Equal("mnist", r.Dataset);
        Assert.Equal(layers, r.Prune.Targets.Keys.ToArray());
        Assert.Equal(sparsity, r.Prune.Targets.Values.Select(t => t.Sparsity!.Value).ToArray());
        Assert.Equal(0.5, r.Prune.Retrain!.LrScale);
        Assert.Equal(10, r.Prune.Rounds);
        Assert.Equal(r, RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "round-trip"));
    }

    [Fact]
    public void RoundTrip_Valid()
    {
        Recipe r = RecipeLoader.LoadFromString(Valid, "valid.yaml");
        string yaml = RecipeWriter.ToYaml(r);
        Recipe back = RecipeLoader.LoadFromString(yaml, "written.yaml");
        Assert.Equal(r, back);
        Assert.Equal(yaml, RecipeWriter.ToYaml(back));
    }

    [Fact]
    public void RoundTrip_GlobalScope_ModelFile_OddStrings()
    {
        var r = new Recipe
        {
            ModelFile = "dir with spaces/model: v2.safetensors",
            Dataset = "fashion-mnist",
            Seed = 42,
            TrainLimit = 500,
            Prune = new PruneSpec
            {
                Settings = new MagnitudeSettings { Granularity = GranularityKind.Simd16, Criterion = PruningCriterion.Rms },
                Schedule = ScheduleKind.Iterative,
                Rounds = 7,
                Scope = ScopeKind.Global,
                GlobalSparsity = 0.123456789012345,
                Retrain = new RetrainSettings { EpochsPerRound = 0, FinalEpochs = 3, LrScale = 1e-7, Regularization = Regularization.L1, Freeze = FreezeMode.Conv, Reinitialize = true },
            },
            Compress = new CompressSpec { IndexBits = new BitsSpec(8, null, RecipeMap<int>.Empty), FineTuneEpochs = 0, Huffman = false },
            Export = new ExportSpec { Onnx = "null", SparseInitializers = true },
        };
        string yaml = RecipeWriter.ToYaml(r);
        Assert.Equal(r, RecipeLoader.LoadFromString(yaml, "written.yaml"));
    }

    [Fact]
    public void Write_IsAtomicAndLoadable()
    {
        using var dir = new TempDirectory();
        string path = dir.File("r.yaml");
        Recipe r = RecipeLoader.LoadFromString(Valid, "valid.yaml");
        RecipeWriter.Write(path, r);
        Assert.Equal(r, RecipeLoader.Load(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Load_MessageNamesTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("broken.yaml");
        File.WriteAllText(path, Replace(Valid, "  rounds: 5", "  rouds: 5"));
        var e = Assert.Throws<RecipeException>(() => RecipeLoader.Load(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.SourceName);
    }

    [Fact]
    public void UnknownKey_SuggestsClosest()
    {
        var e = Reject(Replace(Valid, "  rounds: 5", "  rouds: 5"));
        Assert.Equal("test.yaml: unknown key 'rouds' at line 18, column 3 (did you mean 'rounds'?)", e.Message);
        Assert.Equal((18, 3), (e.Line, e.Column));
        Assert.Equal("prune.rouds", e.KeyPath);
    }

    [Fact]
    public void UnknownKey_WithoutCloseMatch_ListsKeys()
    {
        var e = Reject(Replace(Valid, "seed: 1", "colour: blue"));
        Assert.Contains("unknown key 'colour' at line 3, column 1 (expected one of: model, model_file, dataset, seed, train_limit, train, prune, compress, export)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongType_Integer()
    {
        var e = Reject(Replace(Valid, "  rounds: 5", "  rounds: five"));
        Assert.Equal("test.yaml: 'rounds' must be an integer, got 'five' at line 18, column 11", e.Message);
        Assert.Equal("prune.rounds", e.KeyPath);
    }

    [Theory]
    [InlineData("  lr: 0.05", "  lr: fast", "'lr' must be a number, got 'fast'", 8)]
    [InlineData("  reinitialize: false", "  reinitialize: maybe", "'reinitialize' must be true or false, got 'maybe'", 29)]
    [InlineData("  epochs: 20", "  epochs: [1, 2]", "'epochs' must be a single value, got a list", 5)]
    [InlineData("    fc2: { sparsity: 0.91 }", "    fc2: [0.91]", "target 'fc2' must be a mapping", 22)]
    public void WrongType(string from, string to, string expected, int line)
    {
        var e = Reject(Replace(Valid, from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void WrongType_SectionIsScalar()
    {
        var e = Reject("model_file: m.safetensors\ndataset: mnist\ntrain: sgd\nprune: { targets: { fc1: 0.5 } }\n");
        Assert.Equal("test.yaml: 'train' must be a mapping of keys, got 'sgd' at line 3, column 8", e.Message);
    }

    [Theory]
    [InlineData("    fc1: { sparsity: 0.92 }", "    fc1: { sparsity: 1.0 }", "'sparsity' must be in [0, 1), got 1.0", 21)]
    [InlineData("    fc1: { sparsity: 0.92 }", "    fc1: { sparsity: -0.1 }", "'sparsity' must be in [0, 1), got -0.1", 21)]
    [InlineData("    fc1: { sparsity: 0.92 }", "    fc1: 1.5", "'fc1' must be in [0, 1), got 1.5", 21)]
    [InlineData("    fc3: { threshold_std: 0.8 }", "    fc3: { threshold_std: -1 }", "'threshold_std' must be in [0, 1000000], got -1", 23)]
    [InlineData("  epochs: 20", "  epochs: -3", "'epochs' must be in [1, 100000], got -3", 5)]
    [InlineData("    epochs_per_round: 4", "    epochs_per_round: -1", "'epochs_per_round' must be in [0, 100000], got -1", 25)]
    [InlineData("  lr: 0.05", "  lr: 0", "'lr' must be greater than 0, got 0", 8)]
    [InlineData("  momentum: 0.9", "  momentum: 1", "'momentum' must be in [0, 1), got 1", 9)]
    [InlineData("  lr: 0.05", "  lr: .nan", "'lr' must be a number, got '.nan'", 8)]
    [InlineData("seed: 1", "seed: 99999999999", "'seed' must be at least 0, got 99999999999", 3)]
    [InlineData("  rounds: 5", "  rounds: 0", "'rounds' must be in [1, 10000], got 0", 18)]
    public void OutOfRange(string from, string to, string expected, int line)
    {
        var e = Reject(Replace(Valid, from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Theory]
    [InlineData("dataset: mnist\n", "", "missing required key 'dataset'", 1, "dataset")]
    [InlineData("model: lenet-300-100\n", "", "missing required key 'model' (a zoo name) or 'model_file'", 1, "model")]
    [InlineData("    fc1: { sparsity: 0.92 }\n    fc2: { sparsity: 0.91 }\n    fc3: { threshold_std: 0.8 }\n", "    fc9: {}\n",
        "target 'fc9' needs 'sparsity'", 21, "prune.targets.fc9")]
    [InlineData("  scope: layer\n  targets:\n    fc1: { sparsity: 0.92 }\n    fc2: { sparsity: 0.91 }\n    fc3: { threshold_std: 0.8 }\n",
        "  scope: layer\n", "missing required key 'targets'", 14, "prune.targets")]
    [InlineData("  scope: layer\n  targets:\n    fc1: { sparsity: 0.92 }\n    fc2: { sparsity: 0.91 }\n    fc3: { threshold_std: 0.8 }\n",
        "  scope: global\n", "missing required key 'global_sparsity'", 14, "prune.global_sparsity")]
    public void MissingRequiredKey(string from, string to, string expected, int line, string key)
    {
        var e = Reject(Replace(Valid, from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.KeyPath);
    }

    [Fact]
    public void MissingPrune_AndZooModelWithoutTrain()
    {
        var e1 = Reject("model_file: m.safetensors\ndataset: mnist\n");
        Assert.Contains("missing required key 'prune' at line 1, column 1", e1.Message, StringComparison.Ordinal);
        var e2 = Reject("model: lenet-5\ndataset: mnist\nprune: { targets: { fc1: 0.5 } }\n");
        Assert.Contains("missing required key 'train': zoo model 'lenet-5' must be trained first", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelAndModelFile_AreExclusive()
    {
        var e = Reject(Replace(Valid, "dataset: mnist", "model_file: x.safetensors\ndataset: mnist"));
        Assert.Contains("'model' and 'model_file' are mutually exclusive", e.Message, StringComparison.Ordinal);
        Assert.Equal((2, 13), (e.Line, e.Column));
    }

    [Fact]
    public void UnknownModel_ListsTheZoo()
    {
        var e = Reject(Replace(Valid, "model: lenet-300-100", "model: resnet-1000"));
        Assert.Contains("unknown model 'resnet-1000'; the zoo has lenet-300-100, lenet-5", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  granularity: element", "  granularity: elemnt", "'granularity' must be one of element, row, filter, kernel, vector, simd, simd2, simd4, simd8, simd16; got 'elemnt' at line 15, column 16 (did you mean 'element'?)")]
    [InlineData("  schedule: iterative", "  schedule: gradual", "'schedule' must be one of one-shot, iterative, agp; got 'gradual' at line 17")]
    [InlineData("  optimizer: sgd", "  optimizer: rmsprop", "'optimizer' must be one of sgd, adam; got 'rmsprop'")]
    [InlineData("  lr_policy: cosine", "  lr_policy: exp", "'lr_policy' must be one of constant, inv, step, cosine; got 'exp'")]
    [InlineData("    freeze: none", "    freeze: all", "'freeze' must be one of none, conv, fc; got 'all'")]
    [InlineData("  criterion: l1", "  criterion: l3", "'criterion' must be one of l1, l2, rms, max; got 'l3'")]
    public void UnknownEnumValue_ListsAllowed(string from, string to, string expected)
    {
        var e = Reject(Replace(Valid, from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnumNames_AreCaseInsensitive()
    {
        Recipe r = RecipeLoader.LoadFromString(Replace(Valid, "  schedule: iterative", "  schedule: Iterative"), "t");
        Assert.Equal(ScheduleKind.Iterative, r.Prune.Schedule);
    }

    [Theory]
    [InlineData("  rounds: 5", "  rounds: 5\n  rounds: 6", "duplicate key 'rounds' (first at line 18) at line 19, column 3")]
    [InlineData("seed: 1", "seed: 1\n---\nseed: 2", "a recipe file holds one YAML document; found a second one at line 4")]
    [InlineData("seed: 1", "seed: &s 1\nxseed: *s", "aliases (*s) are not supported")]
    [InlineData("  rounds: 5", "  rounds: [5", "at line 18")]
    [InlineData("  rounds: 5", "\trounds: 5", "YAML syntax error")]
    public void Syntax_AndStructure(string from, string to, string expected)
    {
        var e = Reject(Replace(Valid, from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line > 0 && e.Column > 0, e.Message);
    }

    [Fact]
    public void Semantics_ScopeAndSchedule()
    {
        var e1 = Reject(Replace(Valid, "  schedule: iterative", "  schedule: one-shot"));
        Assert.Contains("'rounds' must be 1 when schedule is one-shot, got 5 at line 18", e1.Message, StringComparison.Ordinal);
        var e2 = Reject(Replace(Valid, "  scope: layer", "  scope: layer\n  global_sparsity: 0.9"));
        Assert.Contains("'global_sparsity' is only used when scope is global", e2.Message, StringComparison.Ordinal);
        var e3 = Reject(Replace(Valid, "  scope: layer", "  scope: global\n  global_sparsity: 0.9"));
        Assert.Contains("'targets' is only used when scope is layer", e3.Message, StringComparison.Ordinal);
        var e4 = Reject(Replace(Valid, "    fc1: { sparsity: 0.92 }", "    fc1: { sparsity: 0.92, threshold_std: 1 }"));
        Assert.Contains("target 'fc1' gives both 'sparsity' and 'threshold_std'", e4.Message, StringComparison.Ordinal);
        var e5 = Reject(Replace(Valid, "    fc1: { sparsity: 0.92 }", "    fc1: { sparsty: 0.92 }"));
        Assert.Contains("unknown key 'sparsty' at line 21, column 12 (did you mean 'sparsity'?)", e5.Message, StringComparison.Ordinal);
        Assert.Equal("prune.targets.fc1.sparsty", e5.KeyPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void Empty_IsRejected(string yaml) =>
        Assert.Contains("the recipe is empty", Reject(yaml).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("- a\n- b\n", "a recipe must be a mapping of keys, got a list")]
    [InlineData("just text\n", "a recipe must be a mapping of keys, got 'just text'")]
    [InlineData("? [a, b]\n: c\n", "keys must be plain names, not a list")]
    public void NonMappingRoot_IsRejected(string yaml, string expected) =>
        Assert.Contains(expected, Reject(yaml).Message, StringComparison.Ordinal);

    [Fact]
    public void NullValue_CountsAsAbsent()
    {
        Recipe r = RecipeLoader.LoadFromString(Replace(Replace(Valid, "seed: 1", "seed:"), "  momentum: 0.9", "  momentum: ~"), "t");
        Assert.Equal(1, r.Seed);
        Assert.Equal(0.9f, r.Train!.Momentum);
    }

    [Theory]
    [InlineData("rounds", "rouds", 1)]
    [InlineData("rounds", "rounds", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void EditDistance_IsLevenshtein(string a, string b, int d) => Assert.Equal(d, SettingText.EditDistance(a, b));

    [Fact]
    public void Suggest_OnlyCloseNames()
    {
        string[] keys = ["epochs", "batch_size", "lr", "lr_policy"];
        Assert.Equal("batch_size", SettingText.Suggest("batchsize", keys));
        Assert.Equal("batch_size", SettingText.Suggest("batch-size", keys));
        Assert.Equal("lr", SettingText.Suggest("l", keys));
        Assert.Null(SettingText.Suggest("temperature", keys));
    }
}
