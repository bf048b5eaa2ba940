// MethodFlags: the flags of `topiary prune` that come from the pruning-method registry — one --key per setting
// key of any registered method (a key two methods share, like criterion, is one flag), parsed by the method's own
// Setting so that a flag and a recipe key accept the same values with the same messages. A flag given for a
// method that does not take it is refused, naming the methods that do.
using System.CommandLine;
using Topiary.Pruning.Methods;
using Topiary.Settings;

namespace Topiary.Cli.Commands;

/// <summary>The method-setting flags of a command.</summary>
public sealed class MethodFlags
{
    private readonly Dictionary<string, Option<string?>> _flags = new(StringComparer.Ordinal);

    /// <summary>Creates a flag for every setting key of every registered method, except keys whose flag <paramref name="command"/> already has.</summary>
    public MethodFlags(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var group in PruningMethods.All.SelectMany(m => m.Options.Select(o => (Method: m, Option: o))).GroupBy(x => x.Option.Key))
        {
            string flag = group.First().Option.Flag;
            if (command.Options.Any(o => o.Name == flag)) continue;
            string help = string.Join("; ", group.Select(x => $"{x.Method.Name}: {x.Option.Description}"));
            var option = new Option<string?>(flag) { Description = help };
            _flags[group.Key] = option;
            command.Options.Add(option);
        }
    }

    /// <summary>The raw text of setting <paramref name="key"/>'s flag, or null when it has no generated flag or was not given.</summary>
    public string? Text(ParseResult parse, string key) => _flags.TryGetValue(key, out var o) ? parse.GetValue(o) : null;

    /// <summary>The settings record of <paramref name="method"/> from the flags given (the others at their defaults), checked
    /// unless <paramref name="check"/> is false (a command that supplies a target of its own, like a latency budget).</summary>
    /// <exception cref="ArgumentException">A bad value, a flag of another method, or a combination the method refuses; the message names the flag.</exception>
    public object Settings(ParseResult parse, PruningMethod method, SharedSettings shared, bool check = true)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(method);
        foreach (var (key, option) in _flags)
            if (parse.GetValue(option) is not null && method.Options.All(o => o.Key != key))
                throw new ArgumentException($"{option.Name} is a setting of method {string.Join(" and ", PruningMethods.All.Where(m => m.Options.Any(o => o.Key == key)).Select(m => m.Name))}, not of {method.Name}.");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            foreach (var o in method.Options)
                if (Text(parse, o.Key) is { } text)
                    values[o.Key] = o.Parse(text);
            object settings = method.CreateOptions(values);
            if (check) method.Check(settings, shared);
            return settings;
        }
        catch (SettingValueException e)
        {
            throw new ArgumentException($"--{e.Key.Replace('_', '-')}: {e.Message}", e);
        }
    }
}
