// ReportFields: the field paths of a JSON report ("layers[].name", "kept_fractions{}", "assumptions[]") two ways — those a
// report type declares (its public properties, recursively, named by JsonReport's snake_case policy) and those a written
// document holds (read with the type as a guide, so a dictionary's keys become "{}" and a field the type does not declare
// shows up as "UNDECLARED:path"). Leaves only: a path ends at a number, string, boolean, or a value with its own converter.
using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Topiary.Cli;

namespace Topiary.Tests.Cli;

internal static class ReportFields
{
    /// <summary>Every leaf path <paramref name="type"/> can write.</summary>
    public static SortedSet<string> Declared(Type type)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        Declare(type, "", paths, depth: 0);
        return paths;
    }

    /// <summary>Every leaf path present in <paramref name="json"/>, read as a <paramref name="type"/>.</summary>
    public static SortedSet<string> Written(JsonElement json, Type type)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        Walk(json, type, "", paths);
        return paths;
    }

    private static void Declare(Type type, string path, SortedSet<string> paths, int depth)
    {
        if (depth > 12) throw new InvalidOperationException($"{path}: the report type nests deeper than 12 levels (a cycle?).");
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type)) paths.Add(path);
        else if (DictionaryValue(type) is { } value) Declare(value, path + "{}", paths, depth + 1);
        else if (Element(type) is { } element) Declare(element, path + "[]", paths, depth + 1);
        else foreach (var p in Properties(type)) Declare(p.PropertyType, Join(path, Name(p)), paths, depth + 1);
    }

    private static void Walk(JsonElement json, Type type, string path, SortedSet<string> paths)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            paths.Add(path);
            return;
        }
        if (DictionaryValue(type) is { } value)
        {
            foreach (var p in json.EnumerateObject()) Walk(p.Value, value, path + "{}", paths);
            return;
        }
        if (Element(type) is { } element)
        {
            foreach (var item in json.EnumerateArray()) Walk(item, element, path + "[]", paths);
            return;
        }
        var byName = Properties(type).ToDictionary(Name, StringComparer.Ordinal);
        foreach (var p in json.EnumerateObject())
        {
            if (byName.TryGetValue(p.Name, out var property)) Walk(p.Value, property.PropertyType, Join(path, p.Name), paths);
            else paths.Add("UNDECLARED:" + Join(path, p.Name));
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type.GetCustomAttribute<JsonConverterAttribute>() is not null;

    private static Type? DictionaryValue(Type type) =>
        Interfaces(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))?.GetGenericArguments()[1];

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type)
            ? Interfaces(type).First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0]
            : null;

    private static IEnumerable<Type> Interfaces(Type type) => type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces();

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    private static string Name(PropertyInfo p) => JsonReport.Options.PropertyNamingPolicy!.ConvertName(p.Name);

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
