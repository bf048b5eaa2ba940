// ResNet50: He et al. 2016's ResNet-50 as torchvision's resnet50 (v1.5: the stride on the bottleneck's 3×3), a Graph
// whose parameter names are torchvision's. Stem conv 7×7/2 64 + BN + ReLU, max pool 3×3/2 pad 1; stages of 3, 4, 6, 3
// bottlenecks (1×1 w, 3×3 w, 1×1 4w, each with BN; ReLU after the first two and after the residual add) of widths
// 64/128/256/512, the first of each stage with a 1×1 projection shortcut (+ BN) at stride 1, 2, 2, 2; global average
// pool, fc 2048 → 1000. 25,557,032 parameters, 4.09 G MACs at 224×224.
using Topiary.Nn;

namespace Topiary.Models.Paper;

/// <summary>ResNet-50 at ImageNet size.</summary>
internal static class ResNet50
{
    public static Graph Build(Random rng)
    {
        var b = new GraphBuilder(rng);
        string x = b.ConvBn("conv1", "bn1", GraphBuilder.Input, 3, 64, 7, 2, 3, relu: "relu");
        x = b.Add("maxpool", new MaxPool2d(3, 2, 1), x);
        int cin = 64;
        foreach (var (stage, width, blocks, stride) in new[] { (1, 64, 3, 1), (2, 128, 4, 2), (3, 256, 6, 2), (4, 512, 3, 2) })
        {
            for (int i = 0; i < blocks; i++)
            {
                string p = $"layer{stage}.{i}.";
                int s = i == 0 ? stride : 1;
                string y = b.ConvBn(p + "conv1", p + "bn1", x, cin, width, 1, relu: p + "relu1");
                y = b.ConvBn(p + "conv2", p + "bn2", y, width, width, 3, s, 1, relu: p + "relu2");
                y = b.ConvBn(p + "conv3", p + "bn3", y, width, 4 * width, 1);
                string shortcut = i == 0 ? b.ConvBn(p + "downsample.0", p + "downsample.1", x, cin, 4 * width, 1, s) : x;
                x = b.Add(p + "relu3", new ReLU(), b.Add(p + "add", new ElementwiseOp(ElementwiseKind.Add), y, shortcut));
                cin = 4 * width;
            }
        }
        x = b.Add("flatten", new Flatten(), b.Add("avgpool", new GlobalAvgPool2d(), x));
        return b.Build(b.Add("fc", new Linear(2048, 1000, rng), x));
    }
}
