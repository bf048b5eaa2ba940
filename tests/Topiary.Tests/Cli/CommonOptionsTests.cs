// CommonOptions' checks: a value below its minimum, an unknown choice and a list item that is not a number are refused with a message naming the flag,
// the value and (for choices) every allowed name; choices match case-insensitively; a command body run through Runs
// maps its exception to exit 2 and refuses a bad --threads before the body runs.
using System.CommandLine;
using Topiary.Cli;
using Topiary.Cli.Commands;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class CommonOptionsTests
{
    [Fact]
    public void AtLeast_passes_the_minimum_and_refuses_below_it_naming_the_flag()
    {
        Assert.Equal(1, CommonOptions.AtLeast(1, 1, "--batch"));
        var e = Assert.Throws<ArgumentException>(() => CommonOptions.AtLeast(0, 1, "--batch"));
        Assert.Equal("--batch must be at least 1; got 0.", e.Message);
    }

    [Fact]
    public void Choice_matches_any_case_and_refuses_an_unknown_name_listing_the_choices()
    {
        Assert.Equal(2, CommonOptions.Choice("--layout", "NHWC", ("nchw", 1), ("nhwc", 2)));
        var e = Assert.Throws<ArgumentException>(() => CommonOptions.Choice("--preset", "gpu", ("mao2017", 1), ("cpu", 2), ("x", 3)));
        Assert.Equal("--preset must be mao2017, cpu or x; got 'gpu'.", e.Message);
    }

    [Fact]
    public void Numbers_reads_a_comma_separated_list_and_refuses_a_value_that_is_not_a_finite_number()
    {
        Assert.Null(CommonOptions.Numbers("--mean", null));
        Assert.Equal([0.5, 1e-3, -2], CommonOptions.Numbers("--mean", "0.5, 1e-3,-2")!);
        foreach (var bad in new[] { "0.5,x", "0.5,,1", "NaN", "Infinity" })
        {
            var e = Assert.Throws<ArgumentException>(() => CommonOptions.Numbers("--sparsities", bad));
            Assert.StartsWith("--sparsities must be comma-separated numbers; '", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Runs_maps_a_refusal_to_exit_2_and_checks_threads_before_the_body()
    {
        var threads = CommonOptions.Threads();
        int runs = 0;
        var cmd = new Command("probe") { threads }.Runs((_, _) =>
        {
            runs++;
            throw new ArgumentException("bad");
        }, threads);
        Assert.Equal(CliApp.BadInput, await cmd.Parse([]).InvokeAsync());
        Assert.Equal(1, runs);
        Assert.Equal(CliApp.BadInput, await cmd.Parse(["--threads", "0"]).InvokeAsync());
        Assert.Equal(1, runs);
    }
}
