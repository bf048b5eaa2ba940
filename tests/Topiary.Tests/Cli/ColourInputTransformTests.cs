// Colour models brought as ONNX files get a colour normalisation: `import` records torchvision's ImageNet mean/std
// for an input of three channels (the real PyTorch ResNet-20 file) unless --input-transform names another, and
// `predict` on a photo then feeds the model (x/255 - mean[c]) / std[c], from the imported file and from the .onnx
// alike; a colour transform is refused where one channel is read (evaluate on the one-channel datasets, predict through a
// one-channel model), with exit code 2 and a message naming the field.
using SkiaSharp;
using Topiary.Data;
using Topiary.IO;
using Topiary.Models;
using Topiary.Tensors;
using Topiary.Tests.Data;
using Topiary.Tests.IO;
using Topiary.Tests.Onnx;
using Topiary.Tests.Onnx.Corpus;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class ColourInputTransformTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ResNet20() => SharedOnnxFiles.Verified(SharedOnnxFiles.Wild, "pytorch-resnet20-cifar.onnx");

    private static (byte R, byte G, byte B) Pixel(int y, int x) => ((byte)(7 * x + y), (byte)(200 - 5 * y), (byte)(40 + 3 * x + 2 * y));

    private static string Metadata(string file) => ModelFile.Load(file).Metadata[ModelFile.InputTransformKey];

    [Fact]
    public async Task Import_records_imagenet_for_three_channels_or_the_given_transform_and_refuses_an_unknown_one()
    {
        string onnx = ResNet20(), plain = _dir.File("r20.safetensors"), caffe = _dir.File("caffe.safetensors");
        Assert.Equal(0, (await CliRun.WithError("import", onnx, "--out", plain)).Code);
        Assert.Equal("imagenet", Metadata(plain));
        Assert.Equal(0, (await CliRun.WithError("import", onnx, "--out", caffe, "--input-transform", "caffe-imagenet")).Code);
        Assert.Equal("caffe-imagenet", Metadata(caffe));

        string bad = _dir.File("bad.safetensors");
        var (code, error) = await CliRun.WithError("import", onnx, "--out", bad, "--input-transform", "imagenet-torch");
        Assert.Equal(2, code);
        Assert.Contains("'imagenet-torch'", error);
        Assert.False(File.Exists(bad));

        // The one-channel datasets cannot be read for it: evaluate says which metadata field stands in the way.
        (code, error) = await CliRun.WithError("evaluate", "--model-file", plain);
        Assert.Equal(2, code);
        Assert.Contains("'input_transform' is 'imagenet'", error);
    }

    [Fact]
    public async Task Predict_feeds_a_colour_photo_normalised_with_the_imagenet_mean_and_std()
    {
        string onnx = ResNet20(), imported = _dir.File("r20.safetensors"), png = _dir.File("photo.png");
        Assert.Equal(0, (await CliRun.WithError("import", onnx, "--out", imported)).Code);
        using (var bitmap = ImageTestFiles.Rgb(Pixel, 32, 32)) File.WriteAllBytes(png, ImageTestFiles.Png(bitmap));

        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        var input = new float[3 * 32 * 32];
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                var (r, g, b) = Pixel(y, x);
                int[] rgb = [r, g, b];
                for (int c = 0; c < 3; c++) input[c * 1024 + y * 32 + x] = (float)((rgb[c] / 255.0 - mean[c]) / std[c]);
            }
        var expected = ModelFile.Load(imported).Network.Forward(new Tensor(input, 1, 3, 32, 32), training: false).Clone();

        foreach (string model in new[] { imported, onnx })
        {
            string outputs = _dir.File(Path.GetFileName(model) + ".npy");
            var (code, error) = await CliRun.WithError("predict", "--model-file", model, "--input", png, "--out", outputs);
            Assert.True(code == 0, error);
            var npy = NpyReader.Read(outputs);
            Assert.Equal([1, 10], npy.Shape.ToArray());
            for (int k = 0; k < 10; k++) Assert.Equal(expected[k], npy.Values[k], 1e-4f * (1 + Math.Abs(expected[k])));
        }
    }

    [Fact]
    public async Task Predict_refuses_a_colour_transform_for_a_one_channel_model()
    {
        string png = _dir.File("digit.png");
        using (var bitmap = ImageTestFiles.Rgb(Pixel, 28, 28)) File.WriteAllBytes(png, ImageTestFiles.Png(bitmap));
        var (code, error) = await CliRun.WithError("predict", "--model-file", OnnxTestSupport.SharedModelPath(), "--input", png, "--input-transform", "imagenet");
        Assert.Equal(2, code);
        Assert.Contains("'imagenet' normalises three colour channels", error);
    }
}
