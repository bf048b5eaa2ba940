// SqueezeNet10: Iandola et al. 2016's SqueezeNet 1.0 as torchvision's squeezenet1_0, a Graph with torchvision's
// parameter names. Conv 7×7/2 96 + ReLU, max pool 3×3/2 (ceil); Fire modules (squeeze 1×1 s, then expand 1×1 e and
// 3×3 e side by side, concatenated; ReLU after each conv) fire2–4 (16/64, 16/64, 32/128), pool, fire5–8 (32/128, 48/192,
// 48/192, 64/256), pool, fire9 (64/256); dropout 0.5, conv 1×1 512 → 1000 + ReLU, global average pool. No fully
// connected layer. 1,248,424 parameters, 819 M MACs at 224×224.
using Topiary.Nn;

namespace Topiary.Models.Paper;

/// <summary>SqueezeNet 1.0 at ImageNet size.</summary>
internal static class SqueezeNet10
{
    public static Graph Build(Random rng)
    {
        var b = new GraphBuilder(rng);
        string x = b.Conv("features.0", GraphBuilder.Input, 3, 96, 7, 2, relu: "features.1");
        x = b.Add("features.2", new MaxPool2d(3, 2, ceilMode: true), x);
        int cin = 96, index = 3;
        foreach (var (squeeze, expand) in new[] { (16, 64), (16, 64), (32, 128), (0, 0), (32, 128), (48, 192), (48, 192), (64, 256), (0, 0), (64, 256) })
        {
            string p = $"features.{index++}";
            if (squeeze == 0)
            {
                x = b.Add(p, new MaxPool2d(3, 2, ceilMode: true), x);
                continue;
            }
            string s = b.Conv(p + ".squeeze", x, cin, squeeze, 1, relu: p + ".squeeze_activation");
            string e1 = b.Conv(p + ".expand1x1", s, squeeze, expand, 1, relu: p + ".expand1x1_activation");
            string e3 = b.Conv(p + ".expand3x3", s, squeeze, expand, 3, padding: 1, relu: p + ".expand3x3_activation");
            x = b.Add(p + ".cat", new Cat(1), e1, e3);
            cin = 2 * expand;
        }
        x = b.Add("classifier.0", new Dropout(0.5f, 1), x);
        x = b.Conv("classifier.1", x, 512, 1000, 1, relu: "classifier.2");
        return b.Build(b.Add("flatten", new Flatten(), b.Add("classifier.3", new GlobalAvgPool2d(), x)));
    }
}
