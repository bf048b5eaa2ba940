// RecipeException: a recipe that cannot be used. The message always names the source (file path or the
// name given to LoadFromString), the line and column (1-based) and, where there is one, the key at fault,
// e.g. "lenet.yaml: unknown key 'rouds' at line 12, column 3 (did you mean 'rounds'?)".
// It derives from FormatException because System.IO.InvalidDataException is sealed; the CLI's Guard maps
// FormatException (like InvalidDataException) to the bad-input exit code.
namespace Topiary.Recipes;

/// <summary>An invalid recipe: YAML syntax, an unknown key, a wrong type, an out-of-range value, a missing key.</summary>
public sealed class RecipeException : FormatException
{
    /// <summary>Creates an exception with a plain message and no position.</summary>
    public RecipeException(string message) : base(message) => SourceName = "";

    /// <summary>Creates an exception for <paramref name="sourceName"/> at a 1-based position.</summary>
    /// <param name="sourceName">File path or source label.</param>
    /// <param name="line">1-based line.</param>
    /// <param name="column">1-based column.</param>
    /// <param name="keyPath">Dotted path of the key at fault (e.g. <c>prune.rounds</c>), or null.</param>
    /// <param name="problem">What is wrong, without the position (it is appended).</param>
    /// <param name="suffix">Text after the position, e.g. a suggestion in parentheses; may be empty.</param>
    /// <param name="innerException">The parser exception, if any.</param>
    internal RecipeException(string sourceName, int line, int column, string? keyPath, string problem, string suffix = "",
        Exception? innerException = null)
        : base($"{sourceName}: {problem} at line {line}, column {column}{(suffix.Length > 0 ? " " + suffix : "")}", innerException)
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        KeyPath = keyPath;
    }

    /// <summary>The file path or source label the recipe came from ("" when unknown).</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the fault (0 when unknown).</summary>
    public int Line { get; }

    /// <summary>1-based column of the fault (0 when unknown).</summary>
    public int Column { get; }

    /// <summary>Dotted path of the key at fault, e.g. <c>prune.targets.fc1.sparsity</c>; null when the fault is not one key's.</summary>
    public string? KeyPath { get; }
}
