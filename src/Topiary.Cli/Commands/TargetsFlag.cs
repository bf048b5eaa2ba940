// TargetsFlag: the --targets flag's text, "fc1=0.92,fc3=s:0.8": per layer a sparsity, or Han's s (keep |w| > s·σ)
// with the s: prefix.
using System.Globalization;
using Topiary.Pruning;

namespace Topiary.Cli.Commands;

/// <summary>Parses per-layer targets given on the command line.</summary>
public static class TargetsFlag
{
    /// <summary>Parses <c>fc1=0.9,fc2=s:0.8</c>: a sparsity, or Han's s with the <c>s:</c> prefix.</summary>
    /// <exception cref="ArgumentException">Malformed entry (named).</exception>
    public static Dictionary<string, LayerTarget> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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
}
