// Exported grouped, depthwise, dilated and asymmetrically padded convolutions and rectangular / asymmetric /
// ceil_mode / count_include_pad pools run in ONNX Runtime with our outputs (tolerance 1e-4·max|output|), so the
// attributes the exporter writes (group, dilations, pads [top, left, bottom, right], kernel_shape, strides,
// ceil_mode, count_include_pad, GlobalMaxPool) mean in ONNX what the layers compute here.
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxConvPoolExportTests
{
    private static void AssertMatchesOrt(Module model, int[] example, string what)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        OnnxExporter.Export(model, example, path);
        foreach (int batch in new[] { 1, 3 })
        {
            int[] shape = [batch, .. example];
            float[] x = RandomInput(batch + 20, shape.Aggregate(1, (a, b) => a * b));
            AssertClose(RunOrt(path, x, shape), RunOurs(model, x, shape), $"{what}, batch {batch}");
        }
    }

    [Fact]
    public void Grouped_depthwise_dilated_and_asymmetric_convolutions_match_onnx_runtime()
    {
        var rng = new Random(1);
        var model = new Sequential()
            .Add("stem", new Conv2d(3, 8, (3, 3), rng, (2, 2), (0, 0, 1, 1)))                  // TF "SAME", stride 2
            .Add("relu1", new ReLU())
            .Add("dw1", new Conv2d(8, 8, 3, rng, padding: 1, groups: 8))                       // depthwise, stride 1
            .Add("dw2", new Conv2d(8, 16, 3, rng, stride: 2, padding: 1, groups: 8))           // depthwise ×2, stride 2
            .Add("grouped", new Conv2d(16, 12, 3, rng, padding: 2, groups: 4, dilation: 2))   // grouped, dilated
            .Add("relu2", new ReLU())
            .Add("dilated", new Conv2d(12, 6, (3, 3), rng, (1, 1), (2, 1, 1, 2), (2, 1), bias: false))
            .Add("dw3", new Conv2d(6, 6, (5, 3), rng, (1, 1), (2, 0, 2, 2), groups: 6))        // depthwise, rectangular
            .Add("gmp", new GlobalMaxPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(6, 4, rng));
        AssertMatchesOrt(model, [3, 33, 29], "conv stack");
    }

    public static IEnumerable<object[]> Pools() =>
    [
        [new MaxPool2d(3, 2, 1, ceilMode: true), 10, 9],
        [new MaxPool2d(2, ceilMode: true), 7, 9],
        [new MaxPool2d((3, 2), (2, 1), (1, 0, 1, 1), ceilMode: true), 8, 11],
        [new MaxPool2d((3, 3), (2, 2), (0, 0, 1, 1)), 9, 9],
        [new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), 10, 9],
        [new AvgPool2d((3, 2), (2, 1), (1, 0, 1, 1), ceilMode: false, countIncludePad: false), 8, 11],
        [new AvgPool2d((2, 3), (1, 2), (0, 1, 1, 1), ceilMode: false, countIncludePad: true), 8, 11],
        [new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: true), 9, 9],     // ceil windows end inside the padding
        [new AvgPool2d(2, 2, 0, ceilMode: true, countIncludePad: true), 7, 9],     // ceil windows reach beyond the image
        [new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: true), 10, 8],    // ... and beyond the padding
        [new MaxPool2d(2, 2, 1, ceilMode: true), 5, 7],                             // a 4th window would start in the padding: dropped
        [new AvgPool2d(2, 2, 1, ceilMode: true, countIncludePad: true), 5, 7],
        [new GlobalMaxPool2d(), 5, 7],
    ];

    [Theory]
    [MemberData(nameof(Pools))]
    public void Pools_match_onnx_runtime(Module pool, int h, int w)
    {
        var model = new Sequential().Add("conv", new Conv2d(2, 3, 1, new Random(2))).Add("pool", pool);
        AssertMatchesOrt(model, [2, h, w], pool.ToString()!);
    }
}
