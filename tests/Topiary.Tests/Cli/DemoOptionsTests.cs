// DemoOptions: the demo's stage settings in one record. The full run and the --quick preset give the Deep Compression
// options the demo always ran with; every setting is a flag of `topiary demo` applied on top of the preset; a value
// out of range is refused (exit 2) naming the flag, before anything is trained or written.
using System.CommandLine;
using Topiary.Cli;
using Topiary.Cli.Commands;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class DemoOptionsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "topiary-demo-options-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Full_run_and_quick_preset_give_the_pipeline_the_demo_ran_with()
    {
        var full = new DemoOptions { WorkDirectory = "w" }.Pipeline();
        Assert.Equal(("lenet-300-100", 1, 10, 3, 6, (int?)null, 3, "w", false),
            (full.Pruning.Model, full.Pruning.Seed, full.Pruning.Rounds, full.Pruning.EpochsPerRound, full.Pruning.FinalEpochs,
                full.Pruning.ReferenceEpochs, full.FineTuneEpochs, full.Pruning.WorkDirectory, full.Pruning.Resume));
        var quick = new DemoOptions { WorkDirectory = "q", Resume = true }.Quick().Pipeline();
        Assert.Equal((1, 3, 1, 1, (int?)3, 1, true),
            (quick.Pruning.Seed, quick.Pruning.Rounds, quick.Pruning.EpochsPerRound, quick.Pruning.FinalEpochs, quick.Pruning.ReferenceEpochs,
                quick.FineTuneEpochs, quick.Pruning.Resume));
        Assert.Equal((0.5f, (int?)null), (full.Pruning.LearningRateScale, full.Pruning.TrainLimit));
        var preset = new DemoOptions { WorkDirectory = "w" };
        Assert.Equal((1.5, (int?)null), (preset.SecondsPerRuntime, preset.EnergyImages));
        Assert.Equal((0.3, (int?)2000), (preset.Quick().SecondsPerRuntime, preset.Quick().EnergyImages));
    }

    [Fact]
    public void Flags_override_one_setting_of_the_preset_each()
    {
        var cmd = new Command("demo");
        var quick = new DemoOptions { WorkDirectory = "w" }.Quick();
        var flags = new SettingFlags<DemoOptions>(cmd, quick);
        var bound = flags.Bind(cmd.Parse(["--rounds", "2", "--seconds-per-runtime", "0.5"]), quick);
        Assert.Equal(quick with { Rounds = 2, SecondsPerRuntime = 0.5 }, bound);
        Assert.Equal(3, quick.Rounds);
    }

    [Theory]
    [InlineData("--rounds", "0")]
    [InlineData("--seconds-per-runtime", "0")]
    [InlineData("--energy-images", "x")]
    [InlineData("--energy-images", "10001")]
    public async Task A_bad_value_exits_2_naming_the_flag_and_writes_nothing(string flag, string value)
    {
        var (code, error) = await CliRun.WithError("demo", "--quick", "--out", _dir, flag, value);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(flag, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }
}
