// DemoOptions: the settings of every stage of `topiary demo` in one place — the Han 2015 schedule that prunes
// LeNet-300-100 (HanScheduleOptions: rounds, retraining epochs, learning-rate scale, reference epochs, with the
// reproductions' defaults), Deep Compression's centroid fine-tuning, the latency budget and the energy sample. The
// initializers are the full run; Quick() is `--quick` (~1 minute). Every setting is also a flag of the command
// (SettingFlags), applied on top of the chosen preset; Pipeline turns them into the library's Deep Compression options.
using Topiary.Experiments;
using Topiary.Settings;

namespace Topiary.Cli.Commands;

/// <summary>Settings of the demo's stages.</summary>
public sealed record DemoOptions : HanScheduleOptions
{
    /// <summary>The zoo model the demo trains, prunes and compresses (always LeNet-300-100).</summary>
    public override string Model { get; init; } = "lenet-300-100";

    /// <summary>Centroid fine-tuning epochs of Deep Compression. Key <c>fine_tune_epochs</c>.</summary>
    [Setting("fine_tune_epochs", "Centroid fine-tuning epochs of Deep Compression.", Min = 0)]
    public int FineTuneEpochs { get; init; } = 3;

    /// <summary>Timing budget per runtime and batch size, in seconds. Key <c>seconds_per_runtime</c>.</summary>
    [Setting("seconds_per_runtime", "Timing budget per runtime and batch size, in seconds.", Min = 0, MinExclusive = true)]
    public double SecondsPerRuntime { get; init; } = 1.5;

    /// <summary>Test images the activation densities are measured on; null = the whole test set. Key <c>energy_images</c>.</summary>
    [Setting("energy_images", "Test images the energy stage measures activation densities on (default: all 10,000 of MNIST's test set).", Min = 1, Max = 10_000)]
    public int? EnergyImages { get; init; }

    /// <summary>The <c>--quick</c> preset: 3 reference epochs, 3 short rounds, 1 fine-tuning epoch, short timing budgets.</summary>
    public override DemoOptions Quick() => this with
    {
        ReferenceEpochs = 3, Rounds = 3, EpochsPerRound = 1, FinalEpochs = 1, FineTuneEpochs = 1, SecondsPerRuntime = 0.3, EnergyImages = 2000,
    };

    /// <summary>The train → prune → compress stages as the library's Deep Compression options, checkpointing into the work directory.</summary>
    public DeepCompressionOptions Pipeline() => new() { Pruning = new Han2015Options(this), FineTuneEpochs = FineTuneEpochs };
}
