// ShapeZoo: ImageNet architectures as shape-only definitions (weight layers with their real input sizes),
// so cost models run on networks we cannot train here, plus the trainable zoo models traced from code.
//   alexnet      CaffeNet/Krizhevsky with grouped conv2/4/5 (as in Han 2015), 3×227×227: 60.97M params, 724M MACs
//   vgg16        VGG-16 (configuration D), 3×224×224: 138.36M params, 15.47G MACs
//   googlenet    Inception v1 (Caffe bvlc_googlenet, no auxiliary heads), 3×224×224: 7.00M params, 1.58G MACs
//   resnet50     ResNet-50 v1.5 (torchvision: stride on the 3×3 conv), 3×224×224: 25.50M params (BN excluded), 4.09G MACs
//   densenet121  DenseNet-121 (k = 32, bottleneck 4k, compression 0.5), 3×224×224: 7.90M params (BN excluded), 2.83G MACs
//   squeezenet   SqueezeNet v1.0 (torchvision layout, 3×224×224, ceil-mode pools): 1.25M params, 0.82G MACs
//   lenet-5, lenet-300-100  traced from Models.ModelZoo with NetworkShape.FromModel.
// Layer names follow the reference implementations (Caffe for AlexNet/VGG/GoogLeNet/SqueezeNet, torchvision for
// ResNet/DenseNet). Only weight layers are listed; pools, ReLU, LRN, BN, concat and residual adds change sizes only.
using System.Globalization;

namespace Topiary.Models.Shapes;

/// <summary>Shape-only model zoo.</summary>
public static class ShapeZoo
{
    private static readonly (string Name, Func<NetworkShape> Build)[] Entries =
    [
        ("alexnet", AlexNet),
        ("vgg16", Vgg16),
        ("googlenet", GoogLeNet),
        ("resnet50", ResNet50),
        ("densenet121", DenseNet121),
        ("squeezenet", SqueezeNet),
        ("lenet-5", () => FromZoo("lenet-5")),
        ("lenet-300-100", () => FromZoo("lenet-300-100")),
    ];

    /// <summary>Every name <see cref="ByName"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>The shape of network <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known names.</exception>
    public static NetworkShape ByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (n, build) in Entries)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return build();
        throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
    }

    private static NetworkShape FromZoo(string name)
    {
        var info = ModelZoo.Get(name);
        return NetworkShape.FromModel(info.Factory(0), info.InputShape, name);
    }

    /// <summary>CaffeNet-style AlexNet: conv2, conv4, conv5 in two groups.</summary>
    private static NetworkShape AlexNet() =>
        new ShapeBuilder(3, 227)
            .Conv("conv1", 96, 11, stride: 4).Pool(3, 2, ceil: true)
            .Conv("conv2", 256, 5, padding: 2, groups: 2).Pool(3, 2, ceil: true)
            .Conv("conv3", 384, 3, padding: 1)
            .Conv("conv4", 384, 3, padding: 1, groups: 2)
            .Conv("conv5", 256, 3, padding: 1, groups: 2).Pool(3, 2, ceil: true)
            .Fc("fc6", 4096).Fc("fc7", 4096).Fc("fc8", 1000)
            .Build("alexnet");

    private static NetworkShape Vgg16()
    {
        var b = new ShapeBuilder(3, 224);
        int[][] stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (int s = 0; s < stages.Length; s++)
        {
            for (int i = 0; i < stages[s].Length; i++) b.Conv(Inv($"conv{s + 1}_{i + 1}"), stages[s][i], 3, padding: 1);
            b.Pool(2, 2);
        }
        return b.Fc("fc6", 4096).Fc("fc7", 4096).Fc("fc8", 1000).Build("vgg16");
    }

    private static NetworkShape GoogLeNet()
    {
        var b = new ShapeBuilder(3, 224)
            .Conv("conv1/7x7_s2", 64, 7, stride: 2, padding: 3).Pool(3, 2, ceil: true)
            .Conv("conv2/3x3_reduce", 64, 1)
            .Conv("conv2/3x3", 192, 3, padding: 1).Pool(3, 2, ceil: true);
        Inception(b, "3a", 64, 96, 128, 16, 32, 32);
        Inception(b, "3b", 128, 128, 192, 32, 96, 64);
        b.Pool(3, 2, ceil: true);
        Inception(b, "4a", 192, 96, 208, 16, 48, 64);
        Inception(b, "4b", 160, 112, 224, 24, 64, 64);
        Inception(b, "4c", 128, 128, 256, 24, 64, 64);
        Inception(b, "4d", 112, 144, 288, 32, 64, 64);
        Inception(b, "4e", 256, 160, 320, 32, 128, 128);
        b.Pool(3, 2, ceil: true);
        Inception(b, "5a", 256, 160, 320, 32, 128, 128);
        Inception(b, "5b", 384, 192, 384, 48, 128, 128);
        return b.GlobalPool().Fc("loss3/classifier", 1000).Build("googlenet");
    }

    private static void Inception(ShapeBuilder b, string id, int c1, int c3r, int c3, int c5r, int c5, int pool)
    {
        string p = "inception_" + id + "/";
        b.Concat(
            x => x.Conv(p + "1x1", c1, 1),
            x => x.Conv(p + "3x3_reduce", c3r, 1).Conv(p + "3x3", c3, 3, padding: 1),
            x => x.Conv(p + "5x5_reduce", c5r, 1).Conv(p + "5x5", c5, 5, padding: 2),
            x => x.Pool(3, 1, padding: 1).Conv(p + "pool_proj", pool, 1));
    }

    private static NetworkShape ResNet50()
    {
        var b = new ShapeBuilder(3, 224).Conv("conv1", 64, 7, stride: 2, padding: 3, bias: false).Pool(3, 2, padding: 1);
        int[] blocks = [3, 4, 6, 3];
        for (int stage = 0; stage < blocks.Length; stage++)
        {
            int width = 64 << stage;
            for (int i = 0; i < blocks[stage]; i++)
            {
                string p = Inv($"layer{stage + 1}.{i}.");
                int stride = i == 0 && stage > 0 ? 2 : 1;
                var input = b.Current;
                b.Conv(p + "conv1", width, 1, bias: false)
                    .Conv(p + "conv2", width, 3, stride: stride, padding: 1, bias: false)
                    .Conv(p + "conv3", width * 4, 1, bias: false);
                if (i == 0)
                {
                    var output = b.Current;
                    b.Current = input;
                    b.Conv(p + "downsample", width * 4, 1, stride: stride, bias: false);
                    if (b.Current != output) throw new InvalidOperationException($"ResNet-50 {p}: shortcut {b.Current} != body {output}.");
                }
            }
        }
        return b.GlobalPool().Fc("fc", 1000).Build("resnet50");
    }

    private static NetworkShape DenseNet121()
    {
        const int growth = 32, bottleneck = 4 * growth;
        var b = new ShapeBuilder(3, 224).Conv("conv0", 64, 7, stride: 2, padding: 3, bias: false).Pool(3, 2, padding: 1);
        int[] blocks = [6, 12, 24, 16];
        for (int block = 0; block < blocks.Length; block++)
        {
            for (int i = 0; i < blocks[block]; i++)
            {
                string p = Inv($"denseblock{block + 1}.denselayer{i + 1}.");
                var input = b.Current;
                b.Conv(p + "conv1", bottleneck, 1, bias: false).Conv(p + "conv2", growth, 3, padding: 1, bias: false);
                b.Current = input with { Channels = input.Channels + growth };
            }
            if (block < blocks.Length - 1)
                b.Conv(Inv($"transition{block + 1}.conv"), b.Current.Channels / 2, 1, bias: false).Pool(2, 2);
        }
        return b.GlobalPool().Fc("classifier", 1000).Build("densenet121");
    }

    private static NetworkShape SqueezeNet()
    {
        var b = new ShapeBuilder(3, 224).Conv("conv1", 96, 7, stride: 2).Pool(3, 2, ceil: true);
        Fire(b, 2, 16, 64);
        Fire(b, 3, 16, 64);
        Fire(b, 4, 32, 128);
        b.Pool(3, 2, ceil: true);
        Fire(b, 5, 32, 128);
        Fire(b, 6, 48, 192);
        Fire(b, 7, 48, 192);
        Fire(b, 8, 64, 256);
        b.Pool(3, 2, ceil: true);
        Fire(b, 9, 64, 256);
        return b.Conv("conv10", 1000, 1).Build("squeezenet");
    }

    private static void Fire(ShapeBuilder b, int id, int squeeze, int expand)
    {
        string p = Inv($"fire{id}/");
        b.Conv(p + "squeeze1x1", squeeze, 1);
        b.Concat(x => x.Conv(p + "expand1x1", expand, 1), x => x.Conv(p + "expand3x3", expand, 3, padding: 1));
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
