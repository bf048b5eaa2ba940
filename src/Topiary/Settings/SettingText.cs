// SettingText: text → typed value for every setting read from a recipe or a flag, with one wording of every
// rejection ("'rounds' must be at least 1, got 0", "'criterion' must be one of l1, l2, rms, max; got 'l3'
// (did you mean 'l1'?)"). Enum values are named in kebab-case (OneShot → one-shot, BnScale → bn-scale, Simd16 →
// simd16) and matched case-insensitively. Suggestions: the closest allowed name by edit distance.
using System.Globalization;
using System.Text;

namespace Topiary.Settings;

/// <summary>Parses and names setting values.</summary>
public static class SettingText
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="SettingValueException">Not an integer, or out of range.</exception>
    public static int ParseInt(string key, string text, int min, int max)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw new SettingValueException(key, $"'{key}' must be an integer, got '{text}'");
        if (v < min || v > max)
            throw new SettingValueException(key, max == int.MaxValue ? $"'{key}' must be at least {min}, got {text}" : $"'{key}' must be in [{min}, {max}], got {text}");
        return (int)v;
    }

    /// <summary>A finite number within the bounds (each inclusive unless marked exclusive; double.MaxValue = unbounded).</summary>
    /// <exception cref="SettingValueException">Not a finite number, or out of range.</exception>
    public static double ParseDouble(string key, string text, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new SettingValueException(key, $"'{key}' must be a number, got '{text}'");
        bool below = minExclusive ? v <= min : v < min;
        bool above = maxExclusive ? v >= max : v > max;
        if (below || above)
        {
            string range = max == double.MaxValue
                ? (minExclusive ? $"greater than {Format(min)}" : $"at least {Format(min)}")
                : $"in {(minExclusive ? "(" : "[")}{Format(min)}, {Format(max)}{(maxExclusive ? ")" : "]")}";
            throw new SettingValueException(key, $"'{key}' must be {range}, got {text}");
        }
        return v;
    }

    /// <summary>true or false (also True/TRUE, False/FALSE).</summary>
    /// <exception cref="SettingValueException">Anything else.</exception>
    public static bool ParseBool(string key, string text) => text switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ => throw new SettingValueException(key, $"'{key}' must be true or false, got '{text}'"),
    };

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned as listed.</summary>
    /// <exception cref="SettingValueException">Not one of them; the suffix suggests the closest.</exception>
    public static string ParseChoice(string key, string text, IReadOnlyList<string> allowed)
    {
        foreach (string name in allowed)
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return name;
        string? suggestion = Suggest(text, allowed);
        throw new SettingValueException(key, $"'{key}' must be one of {string.Join(", ", allowed)}; got '{text}'",
            suggestion is not null ? $"(did you mean '{suggestion}'?)" : "");
    }

    /// <summary>The enum value named <paramref name="text"/> (kebab-case, case-insensitive).</summary>
    /// <exception cref="SettingValueException">Not a name of <paramref name="type"/>'s values.</exception>
    public static object ParseEnum(string key, string text, Type type)
    {
        string[] names = EnumNames(type);
        string name = ParseChoice(key, text, names);
        return Enum.GetValues(type).GetValue(Array.IndexOf(names, name))!;
    }

    /// <summary>The kebab-case names of an enum's values, in declaration order.</summary>
    public static string[] EnumNames(Type type) => Enum.GetNames(type).Select(Kebab).ToArray();

    /// <summary>The kebab-case name of an enum value (OneShot → one-shot, Simd16 → simd16).</summary>
    public static string NameOf(Enum value) => Kebab(value.ToString());

    /// <summary>PascalCase → kebab-case; digits stay attached to the word before them.</summary>
    public static string Kebab(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(pascal[i - 1])) sb.Append('-');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>A number as written back (round-trip form).</summary>
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float in its shortest round-trip form.</summary>
    public static string Format(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Levenshtein distance (insert, delete, substitute), for "did you mean" suggestions.</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The closest allowed name within a small edit distance (≤ 1 for short names, ≤ 2 or a third of the length otherwise), or null.</summary>
    public static string? Suggest(string given, IEnumerable<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(allowed);
        string lower = given.ToLowerInvariant().Replace('-', '_');
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string name in allowed)
        {
            int d = EditDistance(lower, name.Replace('-', '_'));
            if (d < bestDistance)
            {
                bestDistance = d;
                best = name;
            }
        }
        int limit = Math.Max(given.Length <= 3 ? 1 : 2, given.Length / 3);
        return bestDistance <= limit ? best : null;
    }
}
