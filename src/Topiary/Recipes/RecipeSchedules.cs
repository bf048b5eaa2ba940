// RecipeSchedules: the one place a recipe's prune and compress sections become the library's options — the
// method (its registration makes it from its settings), the shared schedule (targets, rounds, retraining) →
// PruningSchedule, bits → BitsRule, the compress section → CompressionSettings. `topiary prune`, `topiary compress`
// and RecipeRunner all use it, so a recipe (or the flags that make one) means the same run in each.
using Topiary.Compression;
using Topiary.Compression.Quantization;
using Topiary.Pruning;
using Topiary.Pruning.Methods;

namespace Topiary.Recipes;

/// <summary>Maps recipe sections to library options.</summary>
public static class RecipeSchedules
{
    /// <summary>The method-independent schedule of <paramref name="recipe"/>'s prune section.</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="checkpoint">Checkpoint written as the schedule goes, or null.</param>
    /// <param name="resume">Continue from <paramref name="checkpoint"/> when it exists.</param>
    public static PruningSchedule Schedule(Recipe recipe, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return Schedule(recipe.Prune, recipe.Seed, checkpoint, resume);
    }

    /// <summary>The schedule of prune settings <paramref name="p"/> (a recipe's, or the flags of `topiary prune`).</summary>
    public static PruningSchedule Schedule(PruneSpec p, int seed, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new PruningSchedule
        {
            Kind = p.Schedule,
            Rounds = p.Schedule == ScheduleKind.OneShot ? 1 : p.Rounds,
            Targets = p.Targets,
            GlobalSparsity = p.Scope == ScopeKind.Global ? p.GlobalSparsity : null,
            Retrain = p.Retrain,
            Seed = seed,
            CheckpointPath = checkpoint,
            Resume = resume,
        };
    }

    /// <summary>The pruning method of <paramref name="recipe"/>, configured by its settings.</summary>
    /// <exception cref="ArgumentException">The recipe names an unknown method or carries another method's settings.</exception>
    public static IPruningMethod Method(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return PruningMethods.Get(recipe.Prune.Method).Create(recipe.Prune.Settings);
    }

    /// <summary>Weight-sharing widths: the recipe's <c>compress.bits</c> over the paper's rule for <paramref name="model"/>.</summary>
    public static BitsRule WeightBits(CompressSpec compress, string model)
    {
        ArgumentNullException.ThrowIfNull(compress);
        BitsRule paper = BitsRule.Paper(model);
        return compress.Bits?.ToRule(paper) ?? paper;
    }

    /// <summary>Relative-index widths of <c>compress.index_bits</c> (unset kinds: the paper's conv 8 / fc 5), or null = the best width per layer.</summary>
    public static BitsRule? IndexBits(CompressSpec compress)
    {
        ArgumentNullException.ThrowIfNull(compress);
        return compress.IndexBits?.ToRule(BitsRule.Default);
    }

    /// <summary>The library settings of <paramref name="compress"/> for <paramref name="model"/>: <see cref="WeightBits"/>,
    /// <see cref="IndexBits"/>, fine-tuning, Huffman coding, and <paramref name="seed"/>.</summary>
    public static CompressionSettings Compression(CompressSpec compress, string model, int seed) => new()
    {
        WeightBits = WeightBits(compress, model),
        IndexBits = IndexBits(compress),
        FineTuneEpochs = compress.FineTuneEpochs,
        FineTuneLrScale = compress.FineTuneLrScale,
        Huffman = compress.Huffman,
        Seed = seed,
    };
}
