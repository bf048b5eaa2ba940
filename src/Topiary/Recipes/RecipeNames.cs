// RecipeNames: the YAML spelling of every enum a recipe uses, in one table shared by the loader (parse,
// and list the allowed names in errors) and the writer (emit). Names are matched case-insensitively.
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Recipes;

internal static class RecipeNames
{
    internal static readonly (string Name, OptimizerKind Value)[] Optimizers = [("sgd", OptimizerKind.Sgd), ("adam", OptimizerKind.Adam)];

    internal static readonly (string Name, LrPolicy Value)[] LrPolicies =
        [("constant", LrPolicy.Constant), ("inv", LrPolicy.Inv), ("step", LrPolicy.Step), ("cosine", LrPolicy.Cosine)];

    internal static readonly (string Name, ScheduleKind Value)[] Schedules =
        [("one-shot", ScheduleKind.OneShot), ("iterative", ScheduleKind.Iterative), ("agp", ScheduleKind.Agp)];

    internal static readonly (string Name, ScopeKind Value)[] Scopes = [("layer", ScopeKind.Layer), ("global", ScopeKind.Global)];

    /// <summary>The YAML name of <paramref name="value"/>.</summary>
    internal static string NameOf<T>((string Name, T Value)[] table, T value) where T : struct, Enum
    {
        foreach ((string name, T v) in table)
            if (EqualityComparer<T>.Default.Equals(v, value))
                return name;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"No recipe name for {typeof(T).Name}.{value}.");
    }
}
