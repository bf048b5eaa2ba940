// CLI fuzz smoke: the real `topiary` process (CliProcess) on a sample of the fuzzers' mutated inputs from every corpus —
// ONNX models, safetensors model files, .tpz containers, IDX files, .npy arrays, recipes, images — through the commands
// that read them (import, predict, export, decompress, run, prune). Each run must end with exit code 0, 1 or 2: never an
// unhandled exception, never a signal (134 is SIGABRT), never a stack trace. The inputs are the in-process fuzzers'
// (FuzzHarness.Input with the same targets, seed TOPIARY_FUZZ_SEED) so a failure is reproducible in process too; images
// have no in-process fuzzer (their decoder is native code, which could take the test host down), so they get twice the
// sample here. A recipe that loads would start a real training run, so only recipes the loader rejects are launched.
// Size: TOPIARY_CLI_FUZZ_COUNT inputs per corpus (default 3: 36 launches of ~0.3-0.6 s).
using System.Globalization;
using System.Text;
using Topiary.Data;
using Topiary.IO;
using Topiary.Models;
using Topiary.Recipes;
using Topiary.Tests.Data;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
[Trait("Category", "EndToEnd")]
public sealed class CliFuzzSmokeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-cli-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("TOPIARY_CLI_FUZZ_COUNT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 3;

    private string Path(string name) => System.IO.Path.Combine(_dir, name);

    // A zoo model taking [1, 28, 28] and a .npy example that fits it.
    private (string Model, string Example) Fixtures()
    {
        string model = Path("lenet5.safetensors"), example = Path("example.npy");
        if (!File.Exists(model)) ModelFile.Save(model, "lenet-5", ModelZoo.Create("lenet-5", 1), new Dictionary<string, string> { ["dataset"] = "mnist" });
        if (!File.Exists(example)) NpyWriter.Write(example, Enumerable.Range(0, 2 * 784).Select(i => (i % 17) / 17f).ToArray(), [2, 1, 28, 28]);
        return (model, example);
    }

    internal static FuzzTarget ImageTarget()
    {
        using var gray = ImageTestFiles.Gray(Enumerable.Range(0, 784).Select(i => (byte)(i * 13)).ToArray(), 28, 28);
        using var rgb = ImageTestFiles.Rgb((y, x) => ((byte)(8 * x), (byte)(8 * y), 128), 20, 24);
        FuzzSeed[] seeds =
        [
            new("gray.png", ImageTestFiles.Png(gray)), new("rgb.png", ImageTestFiles.Png(rgb)), new("rgb.jpg", ImageTestFiles.Jpeg(rgb)),
            new("rgb.webp", ImageTestFiles.WebpLossless(rgb)), new("rgb.bmp", ImageTestFiles.Bmp((y, x) => ((byte)x, (byte)y, 7), 12, 10)),
        ];
        return new FuzzTarget("image", seeds, input => ImageDecoder.Decode(input, "fuzz.png", new ImageTransform()), typeof(InvalidDataException));
    }

    // The inputs of one corpus to launch: the first Count inputs of the run (for recipes: the first Count the loader rejects).
    private static IEnumerable<byte[]> Inputs(FuzzTarget target, int count, Func<byte[], bool>? launchable = null) =>
        Enumerable.Range(0, int.MaxValue).Select(i => FuzzHarness.Input(target, FuzzHarness.Seed, i)).Where(launchable ?? (_ => true)).Take(count);

    private async Task Launch(string corpus, IEnumerable<byte[]> inputs, string fileName, params Func<string, string[]>[] commands)
    {
        var codes = new SortedDictionary<int, int>();
        int index = 0;
        foreach (byte[] input in inputs)
        {
            string file = Path(fileName);
            await File.WriteAllBytesAsync(file, input);
            foreach (var command in commands)
            {
                string[] args = command(file);
                var (code, log) = await CliProcess.RunAsync(_dir, Timeout, args);
                string saved = Path($"{corpus}-{index}-{System.IO.Path.GetFileName(fileName)}");
                File.Copy(file, saved, overwrite: true);
                string what = $"{corpus} input {index} (saved as {saved}): topiary {string.Join(' ', args)} → exit {code}\n{log}";
                Assert.True(code is 0 or 1 or 2, what);
                Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
                Assert.DoesNotContain("\n   at ", log, StringComparison.Ordinal);
                if (code != 0) Assert.Single(log.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
                codes[code] = codes.GetValueOrDefault(code) + 1;
                File.Delete(saved);
            }
            index++;
        }
        output.WriteLine($"{corpus}: {codes.Values.Sum()} launches, exit codes {string.Join(", ", codes.Select(kv => $"{kv.Key}: {kv.Value}"))}");
    }

    [Fact]
    public async Task Onnx_models_through_import_and_predict()
    {
        var (_, example) = Fixtures();
        using var onnx = new OnnxFuzzTests(output);
        await Launch("onnx", Inputs(onnx.Target(), Count), "input.onnx",
            f => ["import", f, "--out", Path("imported.safetensors")],
            f => ["predict", "--model-file", f, "--input", example]);
    }

    [Fact]
    public async Task Model_files_through_predict_and_export()
    {
        var (_, example) = Fixtures();
        using var checkpoint = new CheckpointFuzzTests(output);
        await Launch("checkpoint", Inputs(checkpoint.ModelFileTarget(), Count), "input.safetensors",
            f => ["predict", "--model-file", f, "--input", example],
            f => ["export", "--model-file", f, "--out", Path("exported.onnx")]);
    }

    [Fact]
    public async Task Tpz_containers_through_decompress_and_predict()
    {
        var (_, example) = Fixtures();
        await Launch("tpz", Inputs(TpzFuzzTests.Target(), Count), "input.tpz",
            f => ["decompress", "--model-file", f, "--out", Path("decompressed.safetensors")],
            f => ["predict", "--model-file", f, "--input", example]);
    }

    [Fact]
    public async Task Idx_npy_and_image_inputs_through_predict()
    {
        var (model, _) = Fixtures();
        using var idx = new IdxFuzzTests(output);
        await Launch("idx", Inputs(idx.Target(), Count), "input-idx3-ubyte", f => ["predict", "--model-file", model, "--input", f]);
        using var npy = new NpyFuzzTests(output);
        await Launch("npy", Inputs(npy.Target(), Count), "input.npy", f => ["predict", "--model-file", model, "--input", f, "--out", Path("outputs.npy")]);
        await Launch("image", Inputs(ImageTarget(), 2 * Count), "input.png", f => ["predict", "--model-file", model, "--input", f, "--top-k", "3"]);
    }

    [Fact]
    public async Task Rejected_recipes_through_run_and_prune()
    {
        bool Rejected(byte[] input)
        {
            try
            {
                RecipeLoader.LoadFromString(Encoding.UTF8.GetString(input), "fuzz.yaml");
                return false;
            }
            catch (RecipeException)
            {
                return true;
            }
        }
        await Launch("recipe", Inputs(RecipeFuzzTests.Target(), Count, Rejected), "input.yaml",
            f => ["run", "--recipe", f, "--out", Path("run")],
            f => ["prune", "--recipe", f, "--out", Path("pruned.safetensors")]);
    }
}
