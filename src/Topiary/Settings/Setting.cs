// Setting: one setting of an options record (a pruning method's, a reproduce experiment's), read by reflection from
// a property marked with SettingAttribute. It turns text into the property's value with the attribute's checks
// (recipe scalars, CLI flag values: the same parser) and back into text (the recipe writer), so that settings are
// declared once. Property types: int, double, float, bool, string (free or from a list of choices), enums (kebab-case
// names), their nullable forms, NameList (a YAML list, or comma-separated on the command line; with ChoicesFrom, every
// item one of the choices) and IReadOnlyList<double> (comma-separated numbers, each within the bounds). Null values
// are "not given".
using System.Collections.Concurrent;
using System.Reflection;

namespace Topiary.Settings;

/// <summary>One setting of an options record.</summary>
public sealed class Setting
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Setting>> Cache = new();

    private Setting(PropertyInfo property, SettingAttribute info)
    {
        Property = property;
        Info = info;
        Type t = property.PropertyType;
        ValueType = Nullable.GetUnderlyingType(t) ?? t;
        if (info.ChoicesFrom is { } member)
        {
            var source = property.DeclaringType!.GetProperty(member, BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException($"{property.DeclaringType.Name}.{property.Name}: no public static property '{member}' lists the choices.");
            Choices = (IReadOnlyList<string>)source.GetValue(null)!;
        }
        else if (ValueType.IsEnum)
        {
            Choices = SettingText.EnumNames(ValueType);
        }
        if (!(ValueType == typeof(int) || ValueType == typeof(double) || ValueType == typeof(float) || ValueType == typeof(bool) || ValueType == typeof(string)
              || ValueType.IsEnum || ValueType == typeof(NameList) || ValueType == typeof(IReadOnlyList<double>)))
            throw new InvalidOperationException($"{property.DeclaringType!.Name}.{property.Name}: settings of type {t.Name} are not supported.");
    }

    /// <summary>The recipe key (snake_case).</summary>
    public string Key => Info.Key;

    /// <summary>The CLI flag (<c>--key</c> with '_' as '-').</summary>
    public string Flag => "--" + Info.Key.Replace('_', '-');

    /// <summary>One sentence for help texts.</summary>
    public string Description => Info.Description;

    /// <summary>The property of the options record.</summary>
    public PropertyInfo Property { get; }

    /// <summary>The declared checks.</summary>
    public SettingAttribute Info { get; }

    /// <summary>The value type without Nullable.</summary>
    public Type ValueType { get; }

    /// <summary>A list of names (YAML sequence; comma-separated on the command line).</summary>
    public bool IsList => ValueType == typeof(NameList);

    /// <summary>The allowed values of a string or enum setting, or null.</summary>
    public IReadOnlyList<string>? Choices { get; }

    /// <summary>The settings of an options record type, in declaration order.</summary>
    public static IReadOnlyList<Setting> Of(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        return Cache.GetOrAdd(optionsType, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.MetadataToken)
            .Select(p => (p, a: p.GetCustomAttribute<SettingAttribute>()))
            .Where(x => x.a is not null)
            .Select(x => new Setting(x.p, x.a!))
            .ToArray());
    }

    /// <summary>The value of a scalar setting written as <paramref name="text"/>.</summary>
    /// <exception cref="SettingValueException">Not a value of the setting's type, or outside its checks.</exception>
    public object Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsList) return ParseList(text.Split(',', StringSplitOptions.TrimEntries));
        if (ValueType == typeof(IReadOnlyList<double>))
            return text.Split(',', StringSplitOptions.TrimEntries).Select(t => SettingText.ParseDouble(Key, t, Info.Min, Info.Max, Info.MinExclusive, Info.MaxExclusive)).ToArray();
        if (ValueType == typeof(int))
        {
            int v = SettingText.ParseInt(Key, text, Info.Min <= int.MinValue ? int.MinValue : (int)Math.Ceiling(Info.Min),
                Info.Max >= int.MaxValue ? int.MaxValue : (int)Math.Floor(Info.Max));
            if (Info.OneOf is { } allowed && !allowed.Contains(v))
                throw new SettingValueException(Key, $"'{Key}' must be one of {string.Join(", ", allowed)}; got {text}");
            return v;
        }
        if (ValueType == typeof(double)) return SettingText.ParseDouble(Key, text, Info.Min, Info.Max, Info.MinExclusive, Info.MaxExclusive);
        if (ValueType == typeof(float)) return (float)SettingText.ParseDouble(Key, text, Info.Min, Info.Max, Info.MinExclusive, Info.MaxExclusive);
        if (ValueType == typeof(bool)) return SettingText.ParseBool(Key, text);
        if (ValueType.IsEnum) return SettingText.ParseEnum(Key, text, ValueType);
        if (text.Trim().Length == 0) throw new SettingValueException(Key, $"'{Key}' must not be empty");
        return Choices is null ? text : SettingText.ParseChoice(Key, text, Choices);
    }

    /// <summary>The value of a list setting: non-empty names, none twice.</summary>
    /// <exception cref="SettingValueException">Not a list setting, an empty list, an empty or repeated name.</exception>
    public NameList ParseList(IReadOnlyList<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!IsList) throw new SettingValueException(Key, $"'{Key}' must be a single value, not a list");
        if (items.Count == 0) throw new SettingValueException(Key, $"'{Key}' is empty: give at least one {(Info.LayerNames ? "layer" : "name")}, or omit it");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string item in items)
        {
            if (item is null || item.Trim().Length == 0) throw new SettingValueException(Key, $"every item of '{Key}' must be a {(Info.LayerNames ? "layer " : "")}name");
            if (!seen.Add(item)) throw new SettingValueException(Key, $"{(Info.LayerNames ? "layer " : "")}'{item}' is listed twice in '{Key}'");
        }
        return new NameList(Choices is null ? items : items.Select(i => SettingText.ParseChoice(Key, i, Choices)));
    }

    /// <summary>The setting's value in <paramref name="options"/>.</summary>
    public object? Get(object options) => Property.GetValue(options);

    /// <summary>Sets the setting on an options record that no one else holds yet (a fresh instance or a fresh copy).</summary>
    public void Set(object options, object? value) => Property.SetValue(options, value);

    /// <summary>The value as text (numbers in round-trip form, enums by name, lists comma-separated), or null when not given.</summary>
    public string? Format(object? value) => value switch
    {
        null => null,
        double d => SettingText.Format(d),
        float f => SettingText.Format(f),
        bool b => b ? "true" : "false",
        Enum e => SettingText.NameOf(e),
        NameList l => string.Join(",", l),
        IReadOnlyList<double> l => string.Join(",", l.Select(SettingText.Format)),
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
