// CliFailure: the one place where an exception that ends a command becomes an exit code and ONE line on stderr — never
// an unhandled-exception crash with a stack trace.
//   130  OperationCanceledException (Ctrl+C, SIGTERM).
//   2    bad input: ArgumentException, InvalidDataException, FileNotFound/DirectoryNotFound/PathTooLong, FormatException
//        (RecipeException), NotSupportedException, EndOfStreamException, OverflowException, protobuf's
//        InvalidProtocolBufferException, System.Text.Json's JsonException, YamlDotNet's YamlException; OutOfMemoryException
//        (an input declaring absurd sizes), InsufficientExecutionStackException (nesting too deep); and IndexOutOfRange, KeyNotFound, InvalidCast, NullReference, DivideByZero,
//        ArrayTypeMismatch, Rank — which a reader should have turned into a named error, so the line also asks for a report.
//   1    failure while running: InvalidOperationException, other IOException, UnauthorizedAccessException; and anything
//        else, reported as an internal error with a request to report it.
// Wrappers (AggregateException with its first inner exception, TargetInvocationException, TypeInitializationException)
// are unwrapped first. The message is collapsed to one line; TOPIARY_DEBUG=1 adds the full exception after it.
using System.Reflection;

namespace Topiary.Cli;

/// <summary>Maps exceptions to exit codes and one-line messages.</summary>
public static class CliFailure
{
    private const string ReportHint = "please report this as a Topiary bug, with the command line and the input file";

    /// <summary>The exit code and the one-line message (without the "error:" prefix) for <paramref name="exception"/>.</summary>
    public static (int Code, string Message) Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var e = Unwrap(exception);
        return e switch
        {
            OperationCanceledException => (CliApp.Cancelled, "cancelled."),
            OutOfMemoryException =>
                (CliApp.BadInput, $"out of memory: an input declares sizes too large to load ({OneLine(e.Message)})."),
            InsufficientExecutionStackException =>
                (CliApp.BadInput, $"an input is nested too deeply to read ({OneLine(e.Message)})."),
            IndexOutOfRangeException or KeyNotFoundException or InvalidCastException or NullReferenceException
                or DivideByZeroException or ArrayTypeMismatchException or RankException =>
                (CliApp.BadInput, $"could not read the input: {e.GetType().Name}: {OneLine(e.Message)} ({ReportHint})."),
            _ when IsBadInput(e) => (CliApp.BadInput, OneLine(e.Message)),
            InvalidOperationException or IOException or UnauthorizedAccessException => (CliApp.Failure, OneLine(e.Message)),
            _ => (CliApp.Failure, $"internal error: {e.GetType().FullName}: {OneLine(e.Message)} ({ReportHint}; TOPIARY_DEBUG=1 prints the stack trace)."),
        };
    }

    /// <summary>True when TOPIARY_DEBUG asks for the full exception after the one-line message.</summary>
    public static bool Debug => Environment.GetEnvironmentVariable("TOPIARY_DEBUG") is { Length: > 0 } v && v != "0";

    private static bool IsBadInput(Exception e) =>
        e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or PathTooLongException
            or FormatException or NotSupportedException or EndOfStreamException or OverflowException
            or Google.Protobuf.InvalidProtocolBufferException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException;

    private static Exception Unwrap(Exception e)
    {
        for (int depth = 0; depth < 16; depth++)
        {
            Exception? inner = e switch
            {
                AggregateException a => a.Flatten().InnerExceptions.FirstOrDefault(),
                TargetInvocationException t => t.InnerException,
                TypeInitializationException t => t.InnerException,
                _ => null,
            };
            if (inner is null) return e;
            e = inner;
        }
        return e;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd();
}
