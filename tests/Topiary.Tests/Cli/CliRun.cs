// CliRun: runs the CLI in process and captures what it wrote to standard error (the one-line error message), for
// tests that check a refusal's message as well as its exit code.
using Topiary.Cli;

namespace Topiary.Tests.Cli;

internal static class CliRun
{
    /// <summary>The exit code of <c>topiary ARGS</c> and its standard error.</summary>
    public static async Task<(int Code, string Error)> WithError(params string[] args)
    {
        var previous = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        try
        {
            return (await CliApp.RunAsync(args), err.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
