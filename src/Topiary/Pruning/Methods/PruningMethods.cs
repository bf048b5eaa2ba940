// PruningMethods: the registry — one line per method. From a registration come the method's recipe keys and its
// `topiary prune` flags (its options record's settings), the parsing of its name, the shared settings it takes and
// its report section (the Details of its PruningOutcome). Adding a method: one file with its settings record and its
// IPruningMethod, and one line here.
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>The registered pruning methods.</summary>
public static class PruningMethods
{
    /// <summary>Every method, in the order help texts list them.</summary>
    public static IReadOnlyList<PruningMethod> All { get; } =
    [
        PruningMethod.Of<MagnitudeSettings>("magnitude", "Remove the groups of smallest magnitude at any granularity (Han et al. 2015; Mao et al. 2017).", ScheduleParts.MaskSchedule, s => new MagnitudeMethod(s)),
        PruningMethod.Of<ScalpelSettings>("scalpel", "Node and/or SIMD-aware pruning chosen per layer by the target hardware (Yu et al. 2017).", ScheduleParts.Rounds | ScheduleParts.Targets | ScheduleParts.Scope | ScheduleParts.Retrain | ScheduleParts.RetrainExtras, s => new ScalpelMethod(s), ScalpelSettings.Check, s => s.Hardware != "gpu", ScalpelMethod.ForeignKeyNotes),
        PruningMethod.Of<EnergyAwareSettings>("energy-aware", "Layers in order of estimated energy, with restoration, refit and fine-tuning (Yang et al. 2017).", ScheduleParts.None, s => new EnergyAwareMethod(s)),
        PruningMethod.Of<ChannelSettings>("channel", "Whole channels removed through the graph's dependency groups, layers rebuilt smaller.", ScheduleParts.Rounds | ScheduleParts.Retrain, s => new ChannelMethod(s), ChannelSettings.Check),
        PruningMethod.Of<RandomSettings>("random", "Groups removed in a seeded random order: the baseline every method should beat.", ScheduleParts.MaskSchedule, s => new RandomPruning(s)),
    ];

    /// <summary>The method names.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToArray();

    /// <summary>The method named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="SettingValueException">Unknown name; the message lists the methods and suggests the closest.</exception>
    public static PruningMethod Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string known = SettingText.ParseChoice("method", name, Names);
        return All.First(m => m.Name == known);
    }
}
