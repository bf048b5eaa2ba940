// SettingFlags: the flags generated from a settings record — a boolean flag is a switch that also takes a value, help
// texts show the record's defaults (none when the command's defaults come from elsewhere), and the generated flags of
// `train`, `prune` and `compress` refuse what the recipe key refuses, with the same words and the flag named.
using System.CommandLine;
using Topiary.Cli.Commands;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class SettingFlagsOnRecordsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-setting-flags-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_boolean_flag_is_a_switch_and_also_takes_a_value()
    {
        var cmd = new Command("t");
        var start = new RetrainSettings { EpochsPerRound = 4 };
        var flags = new SettingFlags<RetrainSettings>(cmd, start);
        RetrainSettings Bind(params string[] args) => flags.Bind(cmd.Parse(args), start);

        Assert.Equal(start, Bind());
        Assert.True(Bind("--reinitialize").Reinitialize);
        Assert.False(Bind("--reinitialize", "false").Reinitialize);
        Assert.Equal(start with { Reinitialize = true, Sigma = SigmaSource.Current, SStep = 0.5 },
            Bind("--reinitialize", "--sigma", "Current", "--s-step", "0.5"));
        Assert.True(flags.Given(cmd.Parse(["--reinitialize"]), "reinitialize"));
        Assert.False(flags.Given(cmd.Parse([]), "reinitialize"));
        var e = Assert.Throws<ArgumentException>(() => Bind("--reinitialize", "maybe"));
        Assert.Equal("--reinitialize: 'reinitialize' must be true or false, got 'maybe'", e.Message);
    }

    [Fact]
    public void Help_shows_the_defaults_given_and_none_without()
    {
        var withDefaults = new Command("a");
        _ = new SettingFlags<TrainingRecipe>(withDefaults, ModelZoo.Get("lenet-300-100").Recipe);
        Assert.EndsWith("Default: 0.05.", withDefaults.Options.Single(o => o.Name == "--lr").Description, StringComparison.Ordinal);
        Assert.Contains("One of constant, inv, step, cosine. Default: cosine.", withDefaults.Options.Single(o => o.Name == "--lr-policy").Description, StringComparison.Ordinal);

        var without = new Command("b");
        _ = new SettingFlags<TrainingRecipe>(without, null);
        Assert.Equal("Base learning rate.", without.Options.Single(o => o.Name == "--lr").Description);
    }

    [Theory]
    [InlineData("train --model lenet-5 --momentum 1", "--momentum: 'momentum' must be in [0, 1), got 1")]
    [InlineData("train --model lenet-5 --lr-policy exp", "--lr-policy: 'lr_policy' must be one of constant, inv, step, cosine; got 'exp'")]
    [InlineData("train --model lenet-5 --epochs 0", "--epochs: 'epochs' must be in [1, 100000], got 0")]
    [InlineData("prune --model-file {dir}/m.safetensors --targets fc1=0.5 --schedule gradual --out {dir}/o.safetensors",
        "--schedule: 'schedule' must be one of one-shot, iterative, agp; got 'gradual'")]
    [InlineData("prune --model-file {dir}/m.safetensors --global-sparsity 1.5 --out {dir}/o.safetensors", "--global-sparsity: 'global_sparsity' must be in [0, 1), got 1.5")]
    [InlineData("prune --model-file {dir}/m.safetensors --targets fc1=0.5 --lr-scale 0 --out {dir}/o.safetensors", "--lr-scale: 'lr_scale' must be in (0, 1000000], got 0")]
    [InlineData("prune --model-file {dir}/m.safetensors --targets fc1=0.5 --freeze all --out {dir}/o.safetensors", "--freeze: 'freeze' must be one of none, conv, fc; got 'all'")]
    [InlineData("compress --model-file {dir}/m.safetensors --out {dir}/o.tpz --fine-tune-lr-scale 0", "--fine-tune-lr-scale: 'fine_tune_lr_scale' must be in (0, 1000000], got 0")]
    [InlineData("compress --model-file {dir}/m.safetensors --out {dir}/o.tpz --fine-tune-epochs -1", "--fine-tune-epochs: 'fine_tune_epochs' must be in [0, 100000], got -1")]
    public async Task Generated_flags_refuse_what_the_recipe_key_refuses(string command, string expected)
    {
        string[] args = command.Replace("{dir}", _dir, StringComparison.Ordinal).Split(' ');
        var (code, error) = await CliRun.WithError(args);
        Assert.Equal(Topiary.Cli.CliApp.BadInput, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
