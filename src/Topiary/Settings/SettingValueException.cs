// SettingValueException: a setting's value that cannot be used — not a number, out of range, not one of the allowed
// names. The problem is worded without a position ("'passes' must be at least 1, got 0") so that the recipe loader
// can add the file, line and column and the CLI the flag; Suffix holds a "did you mean" hint when there is one.
namespace Topiary.Settings;

/// <summary>A setting's value that cannot be used.</summary>
/// <param name="key">The setting's key.</param>
/// <param name="problem">What is wrong, naming the key, without a position.</param>
/// <param name="suffix">A hint such as "(did you mean 'l1'?)", or empty.</param>
public sealed class SettingValueException(string key, string problem, string suffix = "")
    : ArgumentException(suffix.Length > 0 ? $"{problem} {suffix}" : problem)
{
    /// <summary>The key of the setting at fault.</summary>
    public string Key { get; } = key;

    /// <summary>What is wrong, without position or hint.</summary>
    public string Problem { get; } = problem;

    /// <summary>A hint in parentheses, or empty.</summary>
    public string Suffix { get; } = suffix;
}
