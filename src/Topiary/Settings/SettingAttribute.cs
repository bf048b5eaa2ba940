// SettingAttribute: marks a property of an options record (a pruning method's, a reproduce experiment's) as one of
// its settings. The key is the setting's one name: the recipe key (snake_case) and, with '_' as '-', the CLI flag.
// Ranges, allowed values and layer-name lists are declared here, so that the recipe loader, the CLI and the recipe
// writer read, check and write every setting the same way (Setting). The default is the property's initializer.
namespace Topiary.Settings;

/// <summary>One setting (a property of an options record).</summary>
/// <param name="key">The recipe key (snake_case); the CLI flag is <c>--key</c> with '_' as '-'.</param>
/// <param name="description">One sentence for help texts and docs.</param>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class SettingAttribute(string key, string description) : Attribute
{
    /// <summary>The recipe key (snake_case).</summary>
    public string Key { get; } = key;

    /// <summary>One sentence for help texts and docs.</summary>
    public string Description { get; } = description;

    /// <summary>Smallest allowed value of a number (default: no bound).</summary>
    public double Min { get; set; } = double.MinValue;

    /// <summary>Largest allowed value of a number (default: no bound).</summary>
    public double Max { get; set; } = double.MaxValue;

    /// <summary><see cref="Min"/> itself is not allowed.</summary>
    public bool MinExclusive { get; set; }

    /// <summary><see cref="Max"/> itself is not allowed.</summary>
    public bool MaxExclusive { get; set; }

    /// <summary>The only values an integer may take (e.g. SIMD widths 2, 4, 8, 16), or null.</summary>
    public int[]? OneOf { get; set; }

    /// <summary>Name of a static property of the options type listing the allowed strings of a string setting, or null.</summary>
    public string? ChoicesFrom { get; set; }

    /// <summary>A list setting whose items are weight-layer names of the model (checked against a zoo model when known).</summary>
    public bool LayerNames { get; set; }
}
