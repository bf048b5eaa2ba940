// OutputGuard: an output that resolves to an input (same path spelled differently, through a symbolic link to the file
// or to a directory above it) or to another output is refused with an ArgumentException naming both options; distinct
// files pass. Every command with an input and an --out exits with 2 on such a call and leaves the input untouched.
using Topiary.Cli;

namespace Topiary.Tests.Reliability;

[Collection("Console")]
public sealed class OutputGuardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-guard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content = "input")
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Output_spelled_differently_is_the_input()
    {
        string input = File("m.safetensors");
        string sameFile = Path.Combine(_dir, ".", "sub", "..", "m.safetensors");
        var e = Assert.Throws<ArgumentException>(() => OutputGuard.Check([("--model-file", input)], [("--out", sameFile)]));
        Assert.Contains("--out", e.Message, StringComparison.Ordinal);
        Assert.Contains("--model-file", e.Message, StringComparison.Ordinal);
        Assert.Contains(input, e.Message, StringComparison.Ordinal);
    }

    [PosixFact("creating symbolic links needs a privilege on Windows")]
    public void Output_through_a_symbolic_link_to_the_file_or_to_its_directory_is_the_input()
    {
        string input = File("m.safetensors");
        string fileLink = Path.Combine(_dir, "link.safetensors");
        System.IO.File.CreateSymbolicLink(fileLink, input);
        Assert.Throws<ArgumentException>(() => OutputGuard.Check([("--model-file", input)], [("--out", fileLink)]));

        string dirLink = Path.Combine(_dir, "alias");
        Directory.CreateSymbolicLink(dirLink, _dir);
        Assert.Throws<ArgumentException>(() => OutputGuard.Check([("--model-file", Path.Combine(dirLink, "m.safetensors"))], [("--out", input)]));
    }

    [Fact]
    public void Two_outputs_on_one_file_are_refused_and_distinct_files_pass()
    {
        string input = File("m.safetensors");
        string output = Path.Combine(_dir, "out.safetensors");
        var e = Assert.Throws<ArgumentException>(() => OutputGuard.Check([("--model-file", input)], [("--out", output), ("--json", output)]));
        Assert.Contains("--json", e.Message, StringComparison.Ordinal);
        Assert.Contains("--out", e.Message, StringComparison.Ordinal);

        OutputGuard.Check([("--model-file", input), ("--recipe", null)], [("--out", output), ("--json", Path.Combine(_dir, "r.json")), ("--checkpoint", null)]);
    }

    // Each input is a valid file of the kind the command reads, so without the guard the command would go on and
    // overwrite it; with the guard nothing is read or written.
    public static TheoryData<string, string, string[]> Commands => new()
    {
        { "train", "none", ["train", "--model", "lenet-300-100", "--out", "{dir}/m.safetensors", "--checkpoint", "{dir}/m.safetensors"] },
        { "prune", "model", ["prune", "--model-file", "{in}", "--targets", "fc1=0.9", "--rounds", "1", "--epochs-per-round", "0", "--out", "{in}"] },
        { "compress", "model", ["compress", "--model-file", "{in}", "--out", "{in}"] },
        { "decompress", "tpz", ["decompress", "--model-file", "{in}", "--out", "{in}"] },
        { "import", "onnx", ["import", "{in}", "--out", "{in}"] },
        { "export", "model", ["export", "--model-file", "{in}", "--out", "{in}"] },
        { "export (--json)", "model", ["export", "--model-file", "{in}", "--out", "{dir}/m.onnx", "--json", "{in}"] },
        { "evaluate (--json)", "model", ["evaluate", "--model-file", "{in}", "--json", "{in}"] },
        { "run (--json)", "none", ["run", "--recipe", "{in}", "--out", "{dir}/run", "--json", "{in}"] },
    };

    private byte[] ValidInput(string kind) => kind switch
    {
        "model" => Written("seed.safetensors", p => Topiary.Models.ModelFile.Save(p, "lenet-300-100", Topiary.Models.ModelZoo.Create("lenet-300-100", 1))),
        "tpz" => TpzFuzzTests.Seeds.Value[0].Bytes,
        "onnx" => Written("seed.onnx", p => Topiary.Onnx.OnnxExporter.Export(Topiary.Models.ModelZoo.Create("lenet-300-100", 1), [1, 28, 28], p)),
        _ => "not read"u8.ToArray(),
    };

    private byte[] Written(string name, Action<string> write)
    {
        string path = Path.Combine(_dir, name);
        write(path);
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.Delete(path);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Command_refuses_to_overwrite_its_input_with_exit_code_2(string name, string kind, string[] template)
    {
        _ = name; // the row's label, shown by the runner
        await RefusesToOverwrite(kind, template);
    }

    [PosixFact("creating symbolic links needs a privilege on Windows")]
    public Task Compress_refuses_to_write_through_a_symbolic_link_to_its_input() =>
        RefusesToOverwrite("model", ["compress", "--model-file", "{in}", "--out", "{link}"]);

    private async Task RefusesToOverwrite(string kind, string[] template)
    {
        byte[] content = ValidInput(kind);
        string input = Path.Combine(_dir, "input.bin");
        await System.IO.File.WriteAllBytesAsync(input, content);
        string link = Path.Combine(_dir, "link.bin");
        if (!OperatingSystem.IsWindows()) System.IO.File.CreateSymbolicLink(link, input);
        string[] args = template.Select(a => a.Replace("{in}", input, StringComparison.Ordinal).Replace("{link}", link, StringComparison.Ordinal)
            .Replace("{dir}", _dir, StringComparison.Ordinal)).ToArray();

        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(args));
        Assert.Equal(content, await System.IO.File.ReadAllBytesAsync(input));
        Assert.All(Directory.GetFiles(_dir), f => Assert.Contains(Path.GetFileName(f), new[] { "input.bin", "link.bin" }));
    }
}
