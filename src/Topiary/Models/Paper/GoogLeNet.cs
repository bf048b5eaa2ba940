// GoogLeNet: Szegedy et al. 2015's GoogLeNet (Inception v1) as Caffe's bvlc_googlenet — the network the energy and
// pruning papers measured — a Graph with Caffe's layer names ('/' as '_'). Conv 7×7/2 64 + ReLU, max pool 3×3/2 (ceil),
// LRN; conv 1×1 64, conv 3×3 192 (+ ReLU), LRN, pool; inception 3a, 3b, pool, 4a–4e, pool, 5a, 5b (each: 1×1; 1×1 → 3×3;
// 1×1 → 5×5; max pool 3×3/1 → 1×1; ReLU after every conv; outputs concatenated); average pool 7×7, dropout 0.4,
// fc 1024 → 1000. No auxiliary classifiers (inference). 6,998,552 parameters, 1.58 G MACs at 224×224.
using Topiary.Nn;

namespace Topiary.Models.Paper;

/// <summary>GoogLeNet (Inception v1) at ImageNet size.</summary>
internal static class GoogLeNet
{
    public static Graph Build(Random rng)
    {
        var b = new GraphBuilder(rng);
        string x = b.Conv("conv1_7x7_s2", GraphBuilder.Input, 3, 64, 7, 2, 3, relu: "conv1_relu_7x7");
        x = b.Add("pool1_3x3_s2", new MaxPool2d(3, 2, ceilMode: true), x);
        x = b.Add("pool1_norm1", new LocalResponseNorm(5), x);
        x = b.Conv("conv2_3x3_reduce", x, 64, 64, 1, relu: "conv2_relu_3x3_reduce");
        x = b.Conv("conv2_3x3", x, 64, 192, 3, padding: 1, relu: "conv2_relu_3x3");
        x = b.Add("conv2_norm2", new LocalResponseNorm(5), x);
        x = b.Add("pool2_3x3_s2", new MaxPool2d(3, 2, ceilMode: true), x);
        int cin = 192;
        (string Name, int A, int B1, int B2, int C1, int C2, int D)[] modules =
        [
            ("3a", 64, 96, 128, 16, 32, 32), ("3b", 128, 128, 192, 32, 96, 64), ("pool3", 0, 0, 0, 0, 0, 0),
            ("4a", 192, 96, 208, 16, 48, 64), ("4b", 160, 112, 224, 24, 64, 64), ("4c", 128, 128, 256, 24, 64, 64),
            ("4d", 112, 144, 288, 32, 64, 64), ("4e", 256, 160, 320, 32, 128, 128), ("pool4", 0, 0, 0, 0, 0, 0),
            ("5a", 256, 160, 320, 32, 128, 128), ("5b", 384, 192, 384, 48, 128, 128),
        ];
        foreach (var m in modules)
        {
            if (m.A == 0)
            {
                x = b.Add(m.Name + "_3x3_s2", new MaxPool2d(3, 2, ceilMode: true), x);
                continue;
            }
            string p = $"inception_{m.Name}_";
            string a = b.Conv(p + "1x1", x, cin, m.A, 1, relu: p + "relu_1x1");
            string c3 = b.Conv(p + "3x3", b.Conv(p + "3x3_reduce", x, cin, m.B1, 1, relu: p + "relu_3x3_reduce"), m.B1, m.B2, 3, padding: 1, relu: p + "relu_3x3");
            string c5 = b.Conv(p + "5x5", b.Conv(p + "5x5_reduce", x, cin, m.C1, 1, relu: p + "relu_5x5_reduce"), m.C1, m.C2, 5, padding: 2, relu: p + "relu_5x5");
            string pool = b.Conv(p + "pool_proj", b.Add(p + "pool", new MaxPool2d(3, 1, 1), x), cin, m.D, 1, relu: p + "relu_pool_proj");
            x = b.Add(p + "output", new Cat(1), a, c3, c5, pool);
            cin = m.A + m.B2 + m.C2 + m.D;
        }
        x = b.Add("pool5_7x7_s1", new AvgPool2d(7, 1), x);
        x = b.Add("pool5_drop_7x7_s1", new Dropout(0.4f, 1), b.Add("flatten", new Flatten(), x));
        return b.Build(b.Add("loss3_classifier", new Linear(1024, 1000, rng), x));
    }
}
