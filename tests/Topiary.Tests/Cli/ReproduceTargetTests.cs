// The `reproduce <paper>` commands built from the registrations (ReproduceTarget) — every flag of the hand-written
// commands they replace is still accepted, flags bind onto the experiment's options record (its initializers are the
// defaults; Yang's --tolerance is in points; bool settings are switches), quick mode comes from the library and is
// applied after the flags as before, bad values and unsupported models are refused before any work, and `reproduce
// all` runs the registrations' targets in the documented order. Nothing is trained.
using System.CommandLine;
using Topiary.Cli;
using Topiary.Cli.Commands;
using Topiary.Experiments;
using Topiary.Settings;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class ReproduceTargetTests
{
    public static TheoryData<string[]> OldCommandLines => new()
    {
        { ["han2015", "--model", "lenet-5", "--seed", "2", "--out", "o", "--resume", "--rounds", "3", "--epochs-per-round", "1", "--final-epochs", "0", "--lr-scale", "0.3", "--quick", "--json", "j", "--threads", "1"] },
        { ["deep-compression", "--model", "lenet-300-100", "--seed", "2", "--out", "o", "--resume", "--bits", "conv=8,fc=5", "--index-bits", "fc=4", "--fine-tune-epochs", "2", "--quick", "--json", "j", "--threads", "1"] },
        { ["scalpel", "--model", "lenet-5", "--seed", "2", "--out", "o", "--resume", "--platforms", "host,gpu", "--host-group-width", "4", "--latency-seconds", "0.5", "--quick", "--json", "j", "--threads", "1"] },
        { ["yang2017", "--model", "convnet", "--seed", "2", "--out", "o", "--resume", "--reference-epochs", "3", "--tolerance", "1", "--per-layer-tolerance", "--fine-tune-epochs", "1", "--passes", "2", "--magnitude-epochs", "2", "--magnitude-min-step", "0.3", "--train-limit", "900", "--quick", "--json", "j", "--threads", "1"] },
        { ["mao2017", "--model", "lenet-5", "--dataset", "fashion-mnist", "--seed", "2", "--out", "o", "--resume", "--densities", "0.4,0.2", "--granularities", "fine,filter", "--epochs-per-density", "2", "--reference-epochs", "1", "--lr-scale", "0.2", "--value-bits", "6", "--index-bits", "3", "--equal-density", "0.2", "--tolerance", "0.01", "--train-limit", "800", "--quick", "--json", "j", "--threads", "1"] },
        { ["mao2017"] },
        { ["all", "--out", "o", "--quick", "--resume", "--targets", "han2015-lenet-5", "--json", "j", "--threads", "1"] },
    };

    [Theory]
    [MemberData(nameof(OldCommandLines))]
    public void Every_flag_of_the_former_commands_is_accepted(string[] args)
    {
        var parse = ReproduceCommand.Build().Parse(args);
        Assert.Empty(parse.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Flags_bind_onto_the_options_record_whose_initializers_are_the_defaults()
    {
        var start = new Yang2017Options { Model = "lenet-5", WorkDirectory = "w" };
        var cmd = new Command("t");
        var flags = new SettingFlags<Yang2017Options>(cmd, start);
        var given = flags.Bind(cmd.Parse(["--tolerance", "1", "--per-layer-tolerance", "--passes", "3", "--magnitude-min-step", "0.25"]), start);
        Assert.Equal((0.01, true, 3, 0.25), (given.Tolerance, given.PerLayerTolerance, given.Passes, given.MagnitudeMinStep));
        var none = flags.Bind(cmd.Parse([]), start);
        Assert.Equal((0.005, false, 6, 2, 0.2), (none.Tolerance, none.PerLayerTolerance, none.Passes, none.FineTuneEpochs, none.MagnitudeMinStep));
        Assert.False(flags.Bind(cmd.Parse(["--per-layer-tolerance", "false"]), start).PerLayerTolerance);
        Assert.Contains("Default: 0.5.", cmd.Options.Single(o => o.Name == "--tolerance").Description, StringComparison.Ordinal);

        var scalpelCmd = new Command("s");
        var scalpelStart = new ScalpelOptions { Model = "lenet-5", WorkDirectory = "w" };
        var scalpel = new SettingFlags<ScalpelOptions>(scalpelCmd, scalpelStart).Bind(scalpelCmd.Parse(["--platforms", "GPU,host", "--rounds", "4"]), scalpelStart);
        Assert.Equal(["gpu", "host"], scalpel.Platforms);
        Assert.Equal(4, scalpel.Rounds);
        Assert.Equal(["cortex-m4", "host", "gpu"], scalpelStart.Platforms);

        var maoCmd = new Command("m");
        var maoStart = new Mao2017Options { WorkDirectory = "w" };
        var mao = new SettingFlags<Mao2017Options>(maoCmd, maoStart).Bind(maoCmd.Parse(["--densities", "0.4, 0.05", "--granularities", "filter,fine"]), maoStart);
        Assert.Equal([0.4, 0.05], mao.Densities);
        Assert.Equal(["filter", "fine"], mao.Granularities);
        Assert.Contains("Default: 0.5,0.3,0.2,0.1,0.07,0.05.", maoCmd.Options.Single(o => o.Name == "--densities").Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_compression_bits_flags_parse_against_the_models_paper_rule()
    {
        var cmd = new Command("d");
        var bind = DeepCompressionTarget.Flags!(cmd);
        var start = DeepCompressionTarget.Create("lenet-5", false);
        var o = bind(cmd.Parse(["--bits", "fc=4", "--index-bits", "conv=6"]), start);
        Assert.Equal((8, 4), (o.WeightBits!.ConvBits, o.WeightBits.FcBits));
        Assert.Equal((6, 5), (o.IndexBits!.ConvBits, o.IndexBits.FcBits));
        var plain = bind(cmd.Parse([]), start);
        Assert.Null(plain.WeightBits);
        Assert.Null(plain.IndexBits);
        Assert.False(start.Pruning.Sensitivity);
        Assert.Equal(5, (start with { Seed = 5 }).Pruning.Seed);
    }

    [Fact]
    public void Quick_mode_is_the_librarys_and_keeps_the_settings_it_does_not_name()
    {
        var han = new Han2015Options { Model = "lenet-5", WorkDirectory = "w", LearningRateScale = 0.3f, Rounds = 7, Sensitivity = false }.Quick();
        Assert.Equal((2, 1, 0, (int?)2, (int?)10_000), (han.Rounds, han.EpochsPerRound, han.FinalEpochs, han.ReferenceEpochs, han.TrainLimit));
        Assert.Equal((0.3f, false), (han.LearningRateScale, han.Sensitivity));
        var dc = DeepCompressionTarget.Create("lenet-5", false).Quick();
        Assert.Equal((1, 2, false), (dc.FineTuneEpochs, dc.Pruning.Rounds, dc.Pruning.Sensitivity));
        var scalpel = new ScalpelOptions { Model = "lenet-5", WorkDirectory = "w", LatencySeconds = 0.3 }.Quick();
        Assert.Equal([0.01f, 0.02f], scalpel.Node!.Penalties);
        Assert.Equal((2, 0.3), (scalpel.Rounds, scalpel.LatencySeconds));
        var yang = new Yang2017Options { Model = "lenet-5", WorkDirectory = "w", MagnitudeEpochs = 3, MagnitudeMinStep = 0.4 }.Quick();
        Assert.Equal((3, 0.25, 1000, (int?)2000), (yang.MagnitudeEpochs, yang.MagnitudeMinStep, yang.ValidationImages, yang.TestLimit));
        var mao = new Mao2017Options { WorkDirectory = "w", Densities = [0.9], Tolerance = 0.2 }.Quick();
        Assert.Equal([0.3, 0.1], mao.Densities);
        Assert.Equal((0.2, 8), (mao.Tolerance, mao.MemoryReferences!.FilterStride));
    }

    [Fact]
    public void Validate_refuses_values_outside_the_declared_settings()
    {
        var mao = new Mao2017Options { WorkDirectory = "w" };
        mao.Validate();
        Assert.Equal("densities", Refused(() => (mao with { Densities = [0.5, 0] }).Validate()));
        Assert.Equal("dataset", Refused(() => (mao with { Dataset = "cifar" }).Validate()));
        Assert.Equal("granularities", Refused(() => (mao with { Granularities = new(["fine", "block"]) }).Validate()));
        Assert.StartsWith("Mao2017Options.Densities: 'densities' must be in (0, 1], got 0",
            Assert.Throws<ArgumentException>(() => (mao with { Densities = [0] }).Validate()).Message, StringComparison.Ordinal);
        var yang = new Yang2017Options { Model = "lenet-5", WorkDirectory = "w" };
        Assert.Equal("passes", Refused(() => (yang with { Passes = 0 }).Validate()));
        Assert.Equal("validation_images", Refused(() => (yang with { ValidationImages = 0 }).Validate()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Yang2017.Run(yang with { MagnitudeInitialStep = 0.2, MagnitudeMinStep = 0.3 }));
    }

    // The deep-compression registration.
    private static ReproduceTarget<DeepCompressionOptions, DeepCompressionReport> DeepCompressionTarget =>
        (ReproduceTarget<DeepCompressionOptions, DeepCompressionReport>)ReproduceCommand.Papers.Single(p => p.Name == "deep-compression");

    // The key of the setting an ArgumentException (exactly that type, as the experiments document) was thrown for.
    private static string Refused(Action validate) => ((SettingValueException)Assert.Throws<ArgumentException>(validate).InnerException!).Key;

    [Theory]
    [InlineData(new[] { "reproduce", "han2015", "--model", "convnet" }, "reproduce han2015 supports lenet-300-100 and lenet-5; got 'convnet'")]
    [InlineData(new[] { "reproduce", "deep-compression", "--model", "lenet-5", "--bits", "fc=99" }, "99")]
    [InlineData(new[] { "reproduce", "scalpel", "--model", "lenet-5", "--platforms", "host,tpu" }, "--platforms: 'platforms' must be one of")]
    [InlineData(new[] { "reproduce", "mao2017", "--densities", "0.5,x" }, "--densities: 'densities' must be a number, got 'x'")]
    [InlineData(new[] { "reproduce", "yang2017", "--model", "lenet-5", "--passes", "0" }, "--passes: 'passes' must be at least 1, got 0")]
    public async Task Bad_values_are_refused_before_any_work(string[] args, string message)
    {
        using var dir = new TempDirectory();
        string work = Path.Combine(dir.Path, "work");
        var (code, error) = await CliRun.WithError([.. args, "--out", work]);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void Reproduce_all_runs_the_registrations_targets_in_order()
    {
        Assert.Equal(["han2015", "deep-compression", "scalpel", "mao2017", "yang2017"], ReproduceCommand.Papers.Select(p => p.Name));
        Assert.Equal(
        [
            "han2015-lenet-300-100", "han2015-lenet-5", "deep-compression-lenet-300-100", "deep-compression-lenet-5",
            "scalpel-lenet-300-100", "scalpel-lenet-5", "mao2017-lenet-5", "yang2017-lenet-5",
        ], ReproduceAllCommand.Targets);
    }

    [Fact]
    public void Sibling_checkpoints_are_copied_only_when_all_exist()
    {
        using var dir = new TempDirectory();
        string han = Path.Combine(dir.Path, "han2015-lenet-5"), dc = Path.Combine(dir.Path, "deep-compression-lenet-5");
        Directory.CreateDirectory(han);
        File.WriteAllText(Path.Combine(han, "reference.ckpt"), "r");
        Assert.False(ReproduceAllCommand.CopyCheckpoints(han, dc, ["reference.ckpt", "pruning.ckpt"]));
        Assert.False(Directory.Exists(dc));
        File.WriteAllText(Path.Combine(han, "pruning.ckpt"), "p");
        Assert.True(ReproduceAllCommand.CopyCheckpoints(han, dc, ["reference.ckpt", "pruning.ckpt"]));
        Assert.Equal("p", File.ReadAllText(Path.Combine(dc, "pruning.ckpt")));
    }
}
