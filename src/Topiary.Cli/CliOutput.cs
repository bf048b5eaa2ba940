// CliOutput: the small formatting and safety helpers every command shares — percentages, tables, the grey
// progress-message line, and the refusal to overwrite a command's own input.
using System.Globalization;
using Spectre.Console;

namespace Topiary.Cli;

/// <summary>Shared console formatting and output-path checks for commands.</summary>
public static class CliOutput
{
    /// <summary>A fraction as a percentage with two decimals, e.g. <c>1.48%</c>.</summary>
    public static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>Prints a table of <paramref name="header"/> and <paramref name="rows"/> (markup: escape what comes from the
    /// user or a file), titled when <paramref name="title"/> is given, with <paramref name="caption"/> under it when given.</summary>
    public static void Table(string? title, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var table = new Table().AddColumns([.. header]);
        if (title is not null) table.Title(title);
        foreach (var row in rows) table.AddRow([.. row]);
        if (caption is not null) table.Caption(caption);
        AnsiConsole.Write(table);
    }

    /// <summary>A progress sink that prints library messages (data fetches, stage names) as grey lines.</summary>
    public static IProgress<string> Messages() => new Progress<string>(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="output"/> is the same file as <paramref name="input"/>
    /// (symbolic links resolved); see <see cref="OutputGuard.Check"/>, which commands call with all their inputs and outputs.</summary>
    public static void RefuseOverwrite(string input, string output) => OutputGuard.Check([("input", input)], [("--out", output)]);
}
