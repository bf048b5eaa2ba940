// RecipeNames: the YAML spelling of every enum a recipe uses, in one table shared by the loader (parse,
// and list the allowed names in errors) and the writer (emit). Names are matched case-insensitively.
using Topiary.Pruning.Channels;
using Topiary.Training;

namespace Topiary.Recipes;

internal static class RecipeNames
{
    internal static readonly (string Name, OptimizerKind Value)[] Optimizers = [("sgd", OptimizerKind.Sgd), ("adam", OptimizerKind.Adam)];

    internal static readonly (string Name, LrPolicy Value)[] LrPolicies =
        [("constant", LrPolicy.Constant), ("inv", LrPolicy.Inv), ("step", LrPolicy.Step), ("cosine", LrPolicy.Cosine)];

    internal static readonly (string Name, PruneMethodKind Value)[] Methods =
        [("magnitude", PruneMethodKind.Magnitude), ("scalpel", PruneMethodKind.Scalpel), ("energy-aware", PruneMethodKind.EnergyAware), ("channel", PruneMethodKind.Channel)];

    internal static readonly (string Name, ChannelCriterion Value)[] ChannelCriteria =
    [
        ("l1", ChannelCriterion.L1), ("l2", ChannelCriterion.L2), ("bn-scale", ChannelCriterion.BnScale),
        ("taylor", ChannelCriterion.Taylor), ("random", ChannelCriterion.Random),
    ];

    internal static readonly (string Name, RankingKind Value)[] Rankings = [("global", RankingKind.Global), ("layer", RankingKind.Layer)];

    internal static readonly (string Name, GranularityKind Value)[] Granularities =
    [
        ("element", GranularityKind.Element), ("row", GranularityKind.Row), ("filter", GranularityKind.Filter),
        ("kernel", GranularityKind.Kernel), ("vector", GranularityKind.Vector), ("simd", GranularityKind.Simd),
        ("simd2", GranularityKind.Simd2), ("simd4", GranularityKind.Simd4), ("simd8", GranularityKind.Simd8), ("simd16", GranularityKind.Simd16),
    ];

    internal static readonly (string Name, CriterionKind Value)[] Criteria =
        [("l1", CriterionKind.L1), ("l2", CriterionKind.L2), ("rms", CriterionKind.Rms), ("max", CriterionKind.Max)];

    internal static readonly (string Name, ScheduleKind Value)[] Schedules =
        [("one-shot", ScheduleKind.OneShot), ("iterative", ScheduleKind.Iterative), ("agp", ScheduleKind.Agp)];

    internal static readonly (string Name, ScopeKind Value)[] Scopes = [("layer", ScopeKind.Layer), ("global", ScopeKind.Global)];

    internal static readonly (string Name, RegularizationKind Value)[] Regularizations =
        [("l1", RegularizationKind.L1), ("l2", RegularizationKind.L2)];

    internal static readonly (string Name, FreezeKind Value)[] Freezes =
        [("none", FreezeKind.None), ("conv", FreezeKind.Conv), ("fc", FreezeKind.Fc)];

    /// <summary>The YAML name of <paramref name="value"/>.</summary>
    internal static string NameOf<T>((string Name, T Value)[] table, T value) where T : struct, Enum
    {
        foreach ((string name, T v) in table)
            if (EqualityComparer<T>.Default.Equals(v, value))
                return name;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"No recipe name for {typeof(T).Name}.{value}.");
    }
}
