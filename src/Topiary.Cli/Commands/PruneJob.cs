// PruneJob: what `topiary prune` runs, built from flags or from a YAML recipe (Topiary.Recipes),
// and turned into the library's schedule options. One place maps names to granularities and enums.
using System.Globalization;
using Topiary.Pruning;
using Topiary.Recipes;

namespace Topiary.Cli.Commands;

/// <summary>A resolved pruning job.</summary>
public sealed record PruneJob(string Schedule, IterativePruningOptions Iterative, AgpOptions? Agp)
{
    /// <summary>Granularity by recipe/flag name.</summary>
    /// <exception cref="ArgumentException">Unknown or not yet implemented granularity.</exception>
    public static IGranularity Granularity(string name)
    {
        string n = name.ToLowerInvariant();
        if (n.StartsWith("simd", StringComparison.Ordinal) && n.Length > 4)
        {
            if (int.TryParse(n.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width is 2 or 4 or 8 or 16)
                return new SimdGroupGranularity(width);
            throw new ArgumentException($"Granularity '{name}': the SIMD width must be 2, 4, 8 or 16 (simd2, simd4, simd8, simd16).");
        }
        return n switch
        {
            "element" => ElementGranularity.Instance,
            "row" or "filter" => RowGranularity.Instance,
            "kernel" => TrailingGranularity.Kernel,
            "vector" => TrailingGranularity.Vector(),
            "simd" => new SimdGroupGranularity(Runtime.Sparse.SparseWeightOptions.HostLanes),
            _ => throw new ArgumentException($"Unknown granularity '{name}'; use element, vector, kernel, row (= filter), simd (host width) or simd2/4/8/16."),
        };
    }

    /// <summary>Weight-group criterion by flag name (L1, L2, Rms, Max; any case).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static PruningCriterion Criterion(string name) =>
        Enum.TryParse<PruningCriterion>(name, ignoreCase: true, out var c) && Enum.IsDefined(c) && !int.TryParse(name, out _) ? c
            : throw new ArgumentException($"--criterion '{name}' is not a weight criterion; use L1, L2, Rms or Max (or --structure channel for l1, l2, bn-scale, taylor, random).");

    /// <summary>Parses <c>fc1=0.9,fc2=s:0.8</c>: a sparsity, or Han's s with the <c>s:</c> prefix.</summary>
    /// <exception cref="ArgumentException">Malformed entry (named).</exception>
    public static Dictionary<string, LayerTarget> ParseTargets(string text)
    {
        var targets = new Dictionary<string, LayerTarget>(StringComparer.Ordinal);
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            string value = eq < 0 ? "" : entry[(eq + 1)..];
            bool isS = value.StartsWith("s:", StringComparison.OrdinalIgnoreCase);
            if (eq <= 0 || !double.TryParse(isS ? value[2..] : value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new ArgumentException($"--targets: '{entry}' is not LAYER=SPARSITY or LAYER=s:S (e.g. fc1=0.92,fc3=s:0.8).");
            var t = isS ? new LayerTarget(S: v) : new LayerTarget(Sparsity: v);
            t.Validate(entry[..eq]);
            targets[entry[..eq]] = t;
        }
        return targets;
    }

    /// <summary>The job described by the prune section of a recipe (magnitude or scalpel; the mapping is <see cref="RecipeSchedules"/>).</summary>
    /// <exception cref="ArgumentException">The recipe's method is energy-aware (run it with <c>topiary run</c>).</exception>
    public static PruneJob FromRecipe(Recipe recipe, string? checkpoint, bool resume)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (recipe.Prune.Method == PruneMethodKind.EnergyAware)
            throw new ArgumentException("prune --recipe runs magnitude and scalpel recipes; run energy-aware recipes with 'topiary run --recipe'.", nameof(recipe));
        string schedule = recipe.Prune.Schedule switch { ScheduleKind.Agp => "agp", ScheduleKind.OneShot => "one-shot", _ => "iterative" };
        return new PruneJob(schedule, RecipeSchedules.Iterative(recipe, checkpoint, resume), RecipeSchedules.Agp(recipe));
    }
}
