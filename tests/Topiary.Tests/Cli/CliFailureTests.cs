// CliFailure / CliApp.Guard: every exception a bad input can cause ends as exit 2 and one line (never a crash); failures
// while running as 1; cancellation as 130; an unknown exception as 1 with a request to report it; wrappers are unwrapped.
using Topiary.Cli;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class CliFailureTests
{
    public static TheoryData<Exception, int> Cases() => new()
    {
        { new ArgumentException("a"), CliApp.BadInput },
        { new InvalidDataException("a"), CliApp.BadInput },
        { new FileNotFoundException("a"), CliApp.BadInput },
        { new DirectoryNotFoundException("a"), CliApp.BadInput },
        { new FormatException("a"), CliApp.BadInput },
        { new Topiary.Recipes.RecipeException("r.yaml: line 1: bad"), CliApp.BadInput },
        { new NotSupportedException("a"), CliApp.BadInput },
        { new EndOfStreamException("a"), CliApp.BadInput },
        { new OverflowException("a"), CliApp.BadInput },
        { ProtobufError(), CliApp.BadInput },
        { new System.Text.Json.JsonException("a"), CliApp.BadInput },
        { new YamlDotNet.Core.YamlException("a"), CliApp.BadInput },
        { new OutOfMemoryException("a"), CliApp.BadInput },
        { new InsufficientExecutionStackException("a"), CliApp.BadInput },
        { new IndexOutOfRangeException("a"), CliApp.BadInput },
        { new KeyNotFoundException("a"), CliApp.BadInput },
        { new InvalidCastException("a"), CliApp.BadInput },
        { new NullReferenceException("a"), CliApp.BadInput },
        { new AggregateException(new InvalidDataException("inner")), CliApp.BadInput },
        { new System.Reflection.TargetInvocationException(new EndOfStreamException("inner")), CliApp.BadInput },
        { new InvalidOperationException("a"), CliApp.Failure },
        { new IOException("a"), CliApp.Failure },
        { new UnauthorizedAccessException("a"), CliApp.Failure },
        { new NotImplementedException("a"), CliApp.Failure },
        { new OperationCanceledException(), CliApp.Cancelled },
        { new AggregateException(new OperationCanceledException()), CliApp.Cancelled },
    };

    // Its constructors are internal: get one from a truncated message.
    private static Exception ProtobufError()
    {
        try
        {
            Google.Protobuf.WellKnownTypes.Int32Value.Parser.ParseFrom([0xFF]);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            return e;
        }
        throw new InvalidOperationException("a truncated protobuf message parsed");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_exception_maps_to_its_exit_code_and_one_line(Exception e, int code)
    {
        var (actual, message) = CliFailure.Classify(e);
        Assert.Equal(code, actual);
        Assert.DoesNotContain('\n', message);
        Assert.NotEmpty(message);
    }

    [Fact]
    public void Unexpected_exceptions_ask_for_a_report_and_multi_line_messages_become_one_line()
    {
        Assert.Contains("report", CliFailure.Classify(new NullReferenceException("x")).Message, StringComparison.Ordinal);
        Assert.Contains("internal error", CliFailure.Classify(new NotImplementedException("x")).Message, StringComparison.Ordinal);
        Assert.Equal("first second", CliFailure.Classify(new InvalidDataException("first\r\n  second\n")).Message);
    }

    [Fact]
    public async Task Guard_turns_a_thrown_exception_into_an_exit_code_and_one_line_on_stderr()
    {
        var previous = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        int code;
        try
        {
            code = await CliApp.Guard(_ => throw new IndexOutOfRangeException("Index was outside the bounds of the array."), CancellationToken.None);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Equal(CliApp.BadInput, code);
        Assert.Single(err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("IndexOutOfRangeException", err.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("predict", "--top-k", "99999999999999999999")]
    [InlineData("predict", "--model-file")]
    [InlineData("predict", "--model-file", "m", "--input", "x", "--size", "-1")]
    [InlineData("evaluate", "--model-file", "\0")]
    [InlineData("import", "")]
    [InlineData("energy", "--model", "/dev/null")]
    public async Task Odd_arguments_are_bad_input_not_a_crash(params string[] args)
    {
        int code = await CliApp.RunAsync(args);
        Assert.True(code is CliApp.BadInput or CliApp.Failure, $"exit {code}");
    }
}
