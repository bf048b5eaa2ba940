// CliOutput: the small formatting helpers every command shares — percentages, tables and the grey progress-message
// line (the refusal to overwrite a command's own input is OutputGuard's).
using System.Globalization;
using Spectre.Console;

namespace Topiary.Cli;

/// <summary>Shared console formatting for commands.</summary>
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
}
