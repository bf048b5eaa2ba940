// SettingFlags: the flags of a command generated from an options record — one --key per [Setting] property, its help
// the setting's description plus the record's default, its value parsed by the setting's own parser (the same checks
// and wording as the recipe key, with the flag named). The record's property initializers are the defaults: a command
// writes none of its own. A bool setting's flag is a switch: alone it means true (--flag false still works).
using System.CommandLine;
using Topiary.Settings;

namespace Topiary.Cli.Commands;

/// <summary>The generated flags of one options record type.</summary>
/// <typeparam name="T">The options record (settings marked with <see cref="SettingAttribute"/>).</typeparam>
public sealed class SettingFlags<T> where T : class
{
    private readonly (Setting Setting, Option<string?> Flag)[] _flags;

    /// <summary>Adds a flag to <paramref name="command"/> for every setting of <typeparamref name="T"/> except the keys in
    /// <paramref name="skip"/>; help texts show the values of <paramref name="defaults"/>.</summary>
    public SettingFlags(Command command, T defaults, params string[] skip)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(defaults);
        _flags = Setting.Of(typeof(T)).Where(s => !skip.Contains(s.Key))
            .Select(s => (s, new Option<string?>(s.Flag)
            {
                Description = Help(s, defaults),
                Arity = s.ValueType == typeof(bool) ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
            })).ToArray();
        foreach (var (_, flag) in _flags) command.Options.Add(flag);
    }

    /// <summary>A copy of <paramref name="start"/> with the value of every flag given.</summary>
    /// <exception cref="ArgumentException">A value its setting refuses; the message names the flag.</exception>
    public T Bind(ParseResult parse, T start)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(start);
        var copy = Copy(start);
        foreach (var (setting, flag) in _flags)
        {
            if (Text(parse, setting, flag) is not { } text) continue;
            try
            {
                setting.Set(copy, setting.Parse(text));
            }
            catch (SettingValueException e)
            {
                throw new ArgumentException($"{flag.Name}: {e.Message}", e);
            }
        }
        return copy;
    }

    /// <summary>Whether the flag of setting <paramref name="key"/> was given.</summary>
    public bool Given(ParseResult parse, string key) =>
        _flags.Any(f => f.Setting.Key == key && Text(parse, f.Setting, f.Flag) is not null);

    // The flag's value; a bool switch given alone is "true".
    private static string? Text(ParseResult parse, Setting setting, Option<string?> flag) =>
        parse.GetValue(flag) ?? (setting.ValueType == typeof(bool) && parse.GetResult(flag) is not null ? "true" : null);

    private static string Help(Setting s, T defaults)
    {
        string? value = s.Format(s.Get(defaults));
        string choices = s.Choices is { } c ? $" One of {string.Join(", ", c)}." : "";
        return value is null ? s.Description + choices : $"{s.Description}{choices} Default: {value}.";
    }

    // A record's copy (its compiler-generated clone), so that Bind never changes the caller's instance.
    private static T Copy(T value) =>
        (T)(typeof(T).GetMethod("<Clone>$")?.Invoke(value, null)
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not a record; settings records are copied with 'with'."));
}
