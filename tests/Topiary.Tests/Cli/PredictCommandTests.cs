// `topiary predict` end to end in process: MNIST test digits written as PNG files (a folder and a single image), as .npy
// arrays (float32 batches [N, 1, 28, 28] and [N, 784], a single example, raw uint8 pixels) and as an IDX file get the
// classes — and softmax scores — the model's own Forward gives on the same pixels, for the real trained PyTorch CNN
// (as .onnx imported on the fly and as an imported model file) and for a zoo model file with its Caffe x/256 default;
// --out holds the raw outputs; the JSON has exactly the documented schema; bad inputs exit with 2 and a message naming
// the file and the field, and write nothing.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Data;
using Topiary.IO;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Runtime;
using Topiary.Tensors;
using Topiary.Tests.Data;
using Topiary.Tests.IO;
using Topiary.Tests.Onnx;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class PredictCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly Lazy<IdxData> TestImages = new(() =>
        IdxReader.ReadImages(Path.Combine(new DatasetCache().Ensure(PackagedDataset.Mnist), PackagedDataset.MnistTestImages)));

    private static byte[] Pixels(int index) => TestImages.Value.Data.AsSpan(index * 784, 784).ToArray();

    private static float[] Transformed(PixelTransform transform, int count)
    {
        var values = new float[count * 784];
        transform.Apply(TestImages.Value.Data.AsSpan(0, count * 784), values);
        return values;
    }

    // The model's own outputs, [count, classes].
    private static Tensor Direct(Module model, float[] inputs, int count) =>
        model.Forward(new Tensor((float[])inputs.Clone(), count, 1, 28, 28), training: false).Clone();

    private static int ArgMax(Tensor outputs, int row)
    {
        int classes = outputs.Dim(1), best = 0;
        for (int c = 1; c < classes; c++) if (outputs[row * classes + c] > outputs[row * classes + best]) best = c;
        return best;
    }

    private static Task<(int Code, string Error)> Run(params string[] args) => CliRun.WithError(args);

    private static JsonElement[] Predictions(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.Clone()).ToArray();
    }

    private string ImportedModelFile()
    {
        var (model, _) = OnnxImporter.Import(OnnxTestSupport.SharedModelPath());
        string path = _dir.File("cnn.safetensors");
        ModelFile.Save(path, "onnx:mnist-cnn-pytorch", model, new Dictionary<string, string>
        {
            ["dataset"] = "mnist", [ModelFile.InputTransformKey] = "mnist-normalize", [ModelFile.InputShapeKey] = "1,28,28",
        });
        return path;
    }

    [Fact]
    public async Task Png_digits_get_the_class_and_scores_the_model_gives_their_pixels()
    {
        string folder = Path.Combine(_dir.Path, "digits");
        Directory.CreateDirectory(folder);
        string[] names = ["c.png", "a.png", "b.png"]; // written out of order: the folder is read sorted by name
        for (int i = 0; i < 3; i++)
        {
            using var bitmap = ImageTestFiles.Gray(Pixels(i), 28, 28);
            await File.WriteAllBytesAsync(Path.Combine(folder, names[i]), ImageTestFiles.Png(bitmap));
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not an image");
        string onnx = OnnxTestSupport.SharedModelPath(), json = _dir.File("p.json");
        var (code, error) = await Run("predict", "--model-file", onnx, "--input", folder, "--json", json, "--top-k", "3");
        Assert.True(code == 0, error);

        var model = OnnxImporter.Import(onnx).Model;
        var direct = Direct(model, Transformed(PixelTransform.MnistNormalize, 3), 3);
        var probabilities = ClassScores.Softmax(direct);
        var predictions = Predictions(json);
        Assert.Equal(3, predictions.Length);
        int[] order = [1, 2, 0]; // a.png = image 1, b.png = image 2, c.png = image 0
        for (int p = 0; p < 3; p++)
        {
            int image = order[p];
            Assert.Equal(Path.Combine(folder, names[image]), predictions[p].GetProperty("input").GetString());
            Assert.Equal(ArgMax(direct, image), predictions[p].GetProperty("class").GetInt32());
            Assert.Equal(probabilities[image * 10 + ArgMax(direct, image)], predictions[p].GetProperty("score").GetSingle(), 6);
        }
        Assert.Equal([7, 2, 1], Enumerable.Range(0, 3).Select(image => predictions[Array.IndexOf(order, image)].GetProperty("class").GetInt32()));

        // One image file, through the imported model file (its metadata's transform and input shape).
        var (one, oneError) = await Run("predict", "--model-file", ImportedModelFile(), "--input", Path.Combine(folder, "c.png"), "--json", json);
        Assert.True(one == 0, oneError);
        var single = Assert.Single(Predictions(json));
        Assert.Equal(7, single.GetProperty("class").GetInt32());
        Assert.Equal(probabilities[7], single.GetProperty("score").GetSingle(), 6);
    }

    [Fact]
    public async Task Npy_batches_get_the_classes_of_running_the_model_directly_and_out_holds_the_outputs()
    {
        const int n = 40;
        string model = ImportedModelFile();
        var network = ModelFile.Load(model).Network;
        float[] inputs = Transformed(PixelTransform.MnistNormalize, n);
        var direct = Direct(network, inputs, n);

        string npy = _dir.File("batch.npy"), json = _dir.File("p.json"), outputs = _dir.File("outputs.npy");
        NpyWriter.Write(npy, inputs, [n, 1, 28, 28]);
        var (code, error) = await Run("predict", "--model-file", model, "--input", npy, "--json", json, "--out", outputs, "--batch-size", "16");
        Assert.True(code == 0, error);
        var predictions = Predictions(json);
        Assert.Equal(Enumerable.Range(0, n), predictions.Select(p => p.GetProperty("input").GetInt32()));
        Assert.Equal(Enumerable.Range(0, n).Select(i => ArgMax(direct, i)), predictions.Select(p => p.GetProperty("class").GetInt32()));
        var raw = NpyReader.Read(outputs);
        Assert.Equal([n, 10], raw.Shape.ToArray());
        OnnxTestSupport.AssertClose(direct.Data, raw.Values, "--out");

        // The same pixels flat [N, 784], as raw uint8 pixels [N, 28, 28] (the model file's transform is applied), and one
        // example without the batch axis.
        string flat = _dir.File("flat.npy"), bytes = _dir.File("pixels.npy"), one = _dir.File("one.npy");
        NpyWriter.Write(flat, inputs, [n, 784]);
        await File.WriteAllBytesAsync(bytes, NpyTests.Build("{'descr': '|u1', 'fortran_order': False, 'shape': (40, 28, 28), }\n", TestImages.Value.Data[..(n * 784)]));
        NpyWriter.Write(one, inputs.AsSpan(0, 784), [1, 28, 28]);
        foreach (string input in new[] { flat, bytes })
        {
            (code, error) = await Run("predict", "--model-file", model, "--input", input, "--json", json);
            Assert.True(code == 0, error);
            Assert.Equal(Enumerable.Range(0, n).Select(i => ArgMax(direct, i)), Predictions(json).Select(p => p.GetProperty("class").GetInt32()));
        }
        (code, error) = await Run("predict", "--model-file", model, "--input", one, "--json", json);
        Assert.True(code == 0, error);
        Assert.Equal(ArgMax(direct, 0), Assert.Single(Predictions(json)).GetProperty("class").GetInt32());
    }

    [Fact]
    public async Task Idx_images_through_a_zoo_model_file_use_its_caffe_default()
    {
        const int n = 12;
        string model = _dir.File("lenet5.safetensors");
        var network = ModelZoo.Create("lenet-5", 3);
        ModelFile.Save(model, "lenet-5", network, new Dictionary<string, string> { ["dataset"] = "mnist" });
        string idx = _dir.File("images-idx3-ubyte"), json = _dir.File("p.json");
        await File.WriteAllBytesAsync(idx, IdxTestFiles.Idx(0x08, [n, 28, 28], TestImages.Value.Data[..(n * 784)]));
        var (code, error) = await Run("predict", "--model-file", model, "--input", idx, "--json", json, "--top-k", "10");
        Assert.True(code == 0, error);
        var direct = Direct(ModelFile.Load(model).Network, Transformed(PixelTransform.Caffe, n), n);
        var predictions = Predictions(json);
        Assert.Equal(Enumerable.Range(0, n).Select(i => ArgMax(direct, i)), predictions.Select(p => p.GetProperty("class").GetInt32()));
        Assert.All(predictions, p => Assert.Equal(10, p.GetProperty("top_k").GetArrayLength()));
    }

    [Fact]
    public async Task Json_has_exactly_the_documented_schema()
    {
        string npy = _dir.File("x.npy"), json = _dir.File("p.json"), labels = _dir.File("labels.txt");
        NpyWriter.Write(npy, Transformed(PixelTransform.MnistNormalize, 2), [2, 1, 28, 28]);
        await File.WriteAllLinesAsync(labels, ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", ""]);
        var (code, error) = await Run("predict", "--model-file", OnnxTestSupport.SharedModelPath(), "--input", npy, "--json", json, "--top-k", "4", "--labels", labels);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal(["predictions"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var p in doc.RootElement.GetProperty("predictions").EnumerateArray())
        {
            Assert.Equal(["input", "class", "score", "top_k"], p.EnumerateObject().Select(x => x.Name));
            Assert.Equal(JsonValueKind.Number, p.GetProperty("input").ValueKind);
            var top = p.GetProperty("top_k").EnumerateArray().ToArray();
            Assert.Equal(4, top.Length);
            Assert.All(top, t => Assert.Equal(["class", "score"], t.EnumerateObject().Select(x => x.Name)));
            Assert.Equal(p.GetProperty("class").GetInt32(), top[0].GetProperty("class").GetInt32());
            Assert.Equal(p.GetProperty("score").GetSingle(), top[0].GetProperty("score").GetSingle());
            var scores = top.Select(t => t.GetProperty("score").GetSingle()).ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.InRange(scores.Sum(), 0f, 1.000001f);
        }
    }

    [Fact]
    public async Task Bad_inputs_exit_2_naming_the_file_and_field_and_write_nothing()
    {
        string onnx = OnnxTestSupport.SharedModelPath(), json = _dir.File("p.json"), outputs = _dir.File("o.npy");
        string wrongShape = _dir.File("wrong-shape.npy"), fortran = _dir.File("fortran.npy"), image = _dir.File("broken.png"), labels = _dir.File("labels.txt");
        NpyWriter.Write(wrongShape, new float[6], [2, 3]);
        await File.WriteAllBytesAsync(fortran, NpyTests.Build("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 28, 28), }\n", new byte[4 * 784]));
        await File.WriteAllBytesAsync(image, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13]);
        await File.WriteAllLinesAsync(labels, ["a", "b"]);
        string good = _dir.File("good.npy");
        NpyWriter.Write(good, new float[784], [1, 28, 28]);
        (string[] Args, string File, string Field)[] cases =
        [
            (["--input", wrongShape], wrongShape, "header 'shape'"),
            (["--input", fortran], fortran, "header 'fortran_order'"),
            (["--input", image], image, image),
            (["--input", good, "--labels", labels], labels, "labels"),
            (["--input", _dir.File("missing.png")], _dir.File("missing.png"), "no such file"),
            (["--input", good, "--out", good], good, "refusing to overwrite an input"),
            (["--input", good, "--mean", "0.5,x"], "--mean", "not a finite number"),
        ];
        foreach (var (args, file, field) in cases)
        {
            string[] output = args.Contains("--out") ? [] : ["--out", outputs];
            var (code, error) = await Run(["predict", "--model-file", onnx, "--json", json, .. output, .. args]);
            Assert.True(code == CliApp.BadInput, $"{string.Join(' ', args)}: exit {code}: {error}");
            Assert.True(error.Contains(file, StringComparison.Ordinal), $"{file} not in: {error}");
            Assert.True(error.Contains(field, StringComparison.Ordinal), $"{field} not in: {error}");
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(File.Exists(json));
            Assert.False(File.Exists(outputs));
        }
    }
}
