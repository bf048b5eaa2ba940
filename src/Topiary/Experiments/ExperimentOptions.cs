// ExperimentOptions: what every paper reproduction's options share — the zoo model, the seed, the work directory that
// holds its checkpoints and outputs, resume, and the reference training's length and data subset — and the contract
// of the rest: each reproduction's record derives from it, declares its user-facing settings with [Setting] (the
// defaults are the property initializers; the CLI's `reproduce <paper>` flags come from them) and defines its quick
// (smoke-run) mode next to them. Validate checks every setting's value as the flag or recipe parser would.
using Topiary.Settings;

namespace Topiary.Experiments;

/// <summary>Options shared by the paper reproductions.</summary>
public abstract record ExperimentOptions
{
    /// <summary>Zoo model.</summary>
    public abstract string Model { get; init; }

    /// <summary>Seed of training, data order and pruning.</summary>
    [Setting("seed", "Seed of training, data order and pruning.")]
    public int Seed { get; init; } = 1;

    /// <summary>Directory for checkpoints and outputs.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Continue from the checkpoints in <see cref="WorkDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Reference training epochs (default: the model's recipe).</summary>
    [Setting("reference_epochs", "Reference training epochs (default: the model's recipe).", Min = 1)]
    public int? ReferenceEpochs { get; init; }

    /// <summary>Use only the first N training images (quick runs); null = all.</summary>
    [Setting("train_limit", "Train on the first N training images only (default: all).", Min = 1)]
    public int? TrainLimit { get; init; }

    /// <summary>These options in smoke-run mode: minutes instead of hours, numbers not comparable to the papers'.</summary>
    public abstract ExperimentOptions Quick();

    /// <summary>Checks every setting's value against its declared range and choices.</summary>
    /// <exception cref="ArgumentException">A value its setting refuses; the message names the property and the key.</exception>
    public void Validate()
    {
        foreach (var setting in Setting.Of(GetType()))
        {
            try
            {
                if (setting.Format(setting.Get(this)) is { } text) setting.Parse(text);
            }
            catch (SettingValueException e)
            {
                throw new ArgumentException($"{GetType().Name}.{setting.Property.Name}: {e.Message}", e);
            }
        }
    }
}
