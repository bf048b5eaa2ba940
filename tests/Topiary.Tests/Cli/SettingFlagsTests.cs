using System.CommandLine;
using Topiary.Cli.Commands;
using Topiary.Settings;

namespace Topiary.Tests.Cli;

public class SettingFlagsTests
{
    public enum Shape { Round, SharpEdge }

    public sealed record Sample
    {
        [Setting("rounds", "Prune/retrain rounds.", Min = 1)]
        public int Rounds { get; init; } = 10;

        [Setting("lr_scale", "Learning-rate scale.", Min = 0, MinExclusive = true)]
        public float LrScale { get; init; } = 0.5f;

        [Setting("shape", "Edge shape.")]
        public Shape Shape { get; init; } = Shape.Round;

        [Setting("layers", "Layers to touch.", LayerNames = true)]
        public NameList? Layers { get; init; }

        [Setting("reference_epochs", "Epochs of the reference.", Min = 1)]
        public int? ReferenceEpochs { get; init; }

        public string NotASetting { get; init; } = "kept";
    }

    private sealed class NotARecord
    {
        [Setting("n", "A number.")]
        public int N { get; set; }
    }

    private static (Command Command, SettingFlags<Sample> Flags) Build(params string[] skip)
    {
        var command = new Command("x");
        return (command, new SettingFlags<Sample>(command, new Sample(), skip));
    }

    [Fact]
    public void Every_setting_becomes_a_kebab_flag_whose_help_names_its_default_and_choices()
    {
        var (command, _) = Build();
        Assert.Equal(["--rounds", "--lr-scale", "--shape", "--layers", "--reference-epochs"], command.Options.Select(o => o.Name).ToArray());
        Assert.EndsWith("Default: 10.", command.Options[0].Description, StringComparison.Ordinal);
        Assert.EndsWith("Default: 0.5.", command.Options[1].Description, StringComparison.Ordinal);
        Assert.Contains("One of round, sharp-edge. Default: round.", command.Options[2].Description, StringComparison.Ordinal);
        Assert.Equal("Epochs of the reference.", command.Options[4].Description);
    }

    [Fact]
    public void Bind_copies_the_start_record_and_sets_only_the_flags_given()
    {
        var (command, flags) = Build();
        var start = new Sample { Rounds = 3, NotASetting = "from start" };
        var parse = command.Parse("--lr-scale 0.25 --shape SHARP-EDGE --layers fc1,fc3 --reference-epochs 2");
        var bound = flags.Bind(parse, start);
        Assert.Equal(new Sample
        {
            Rounds = 3, LrScale = 0.25f, Shape = Shape.SharpEdge, Layers = new NameList(["fc1", "fc3"]), ReferenceEpochs = 2,
            NotASetting = "from start",
        }, bound);
        Assert.Equal(new Sample { Rounds = 3, NotASetting = "from start" }, start);
        Assert.True(flags.Given(parse, "shape"));
        Assert.False(flags.Given(parse, "rounds"));
    }

    [Theory]
    [InlineData("--rounds 0", "--rounds: 'rounds' must be at least 1, got 0")]
    [InlineData("--rounds two", "--rounds: 'rounds' must be an integer, got 'two'")]
    [InlineData("--lr-scale 0", "--lr-scale: 'lr_scale' must be greater than 0, got 0")]
    [InlineData("--shape square", "--shape: 'shape' must be one of round, sharp-edge; got 'square'")]
    [InlineData("--layers fc1,fc1", "--layers: layer 'fc1' is listed twice in 'layers'")]
    public void Bad_values_are_refused_naming_the_flag(string args, string message)
    {
        var (command, flags) = Build();
        var e = Assert.Throws<ArgumentException>(() => flags.Bind(command.Parse(args), new Sample()));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipped_keys_get_no_flag_and_non_records_are_refused_at_bind()
    {
        var (command, _) = Build("shape", "layers");
        Assert.DoesNotContain(command.Options, o => o.Name is "--shape" or "--layers");
        var other = new Command("y");
        var flags = new SettingFlags<NotARecord>(other, new NotARecord());
        Assert.Contains("not a record", Assert.Throws<InvalidOperationException>(() => flags.Bind(other.Parse("--n 3"), new NotARecord())).Message, StringComparison.Ordinal);
    }
}
