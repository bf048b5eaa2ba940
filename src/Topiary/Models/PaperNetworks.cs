// PaperNetworks: networks at their ImageNet size (3×224×224 input, 1000 classes) with seeded random weights, for
// speed measurements (`topiary bench --model NAME`); not trained, not in the zoo (whose models train on 28×28).
//   vgg16         Simonyan & Zisserman 2015, configuration D (torchvision vgg16): 13 conv 3×3 + ReLU in 5 blocks of
//                 64/128/256/512/512 channels, max pool 2×2 after each; fc 25088→4096→4096→1000 with ReLU and dropout.
//                 138,357,544 parameters, 15.47 G MACs per image.
//   mobilenet-v2  Sandler et al. 2018 (torchvision mobilenet_v2, width 1.0): stem conv 3×3/2 32, 17 inverted residual
//                 blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1),
//                 conv 1×1 1280, GAP, dropout 0.2, fc 1000. 3,504,872 parameters, 300.8 M MACs per image.
// Weights Kaiming-uniform (KaimingInit), BatchNorm at its initial state (γ 1, β 0, mean 0, var 1).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The seed papers' networks at ImageNet size, for benchmarks.</summary>
public static class PaperNetworks
{
    /// <summary>Input of one example: 3×224×224.</summary>
    public static IReadOnlyList<int> InputShape { get; } = [3, 224, 224];

    /// <summary>The networks this class builds.</summary>
    public static IReadOnlyList<string> Names { get; } = ["vgg16", "mobilenet-v2"];

    /// <summary>Builds <paramref name="name"/> with weights from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static Module Create(string name, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        var rng = new Random(seed);
        Module net = name.ToLowerInvariant() switch
        {
            "vgg16" => Vgg16(rng),
            "mobilenet-v2" => MobileNetV2(rng, seed),
            _ => throw new ArgumentException($"Unknown paper network '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
        };
        KaimingInit.Apply(net, rng);
        return net;
    }

    private static Sequential Vgg16(Random rng)
    {
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        var features = new Sequential();
        int channels = 3, index = 0;
        string Next() => (index++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var block in blocks)
        {
            foreach (int width in block)
            {
                features.Add(Next(), new Conv2d(channels, width, 3, rng, padding: 1));
                features.Add(Next(), new ReLU());
                channels = width;
            }
            features.Add(Next(), new MaxPool2d(2));
        }
        return new Sequential()
            .Add("features", features)
            .Add("flatten", new Flatten())
            .Add("classifier", new Sequential(
                new Linear(512 * 7 * 7, 4096, rng), new ReLU(), new Dropout(0.5f, 11),
                new Linear(4096, 4096, rng), new ReLU(), new Dropout(0.5f, 13),
                new Linear(4096, 1000, rng)));
    }

    private static Sequential MobileNetV2(Random rng, int seed) =>
        Models.MobileNetV2.Build([(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)],
            inChannels: 3, stemChannels: 32, stemStride: 2, classes: 1000, rng, seed);
}
