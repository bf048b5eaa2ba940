// RecipeSections: names parts of a recipe, so RecipeWriter can write a subset of it — the key of one stage of
// a run (RecipeRunner reuses a stage's output on --resume only when the parts it depends on are unchanged).
namespace Topiary.Recipes;

/// <summary>Parts of a recipe, for <see cref="RecipeWriter.ToYaml(Recipe, RecipeSections)"/>.</summary>
[Flags]
public enum RecipeSections
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>model, model_file, dataset, seed, train_limit.</summary>
    Data = 1,
    /// <summary>The train section.</summary>
    Train = 2,
    /// <summary>The prune section.</summary>
    Prune = 4,
    /// <summary>The compress section.</summary>
    Compress = 8,
    /// <summary>The export section.</summary>
    Export = 16,
    /// <summary>Everything.</summary>
    All = Data | Train | Prune | Compress | Export,
}
