// PaperNetworks: the seed papers' networks at the size they were published for, with seeded random weights, for
// speed measurements (`topiary bench --model NAME`); not trained. ImageNet networks take 3×224×224 (AlexNet 3×227×227)
// and give 1000 classes; the LeNets are the zoo's (1×28×28, 10 classes), whose other models train on 28×28 too.
//   alexnet       Krizhevsky et al. 2012 as Caffe's BVLC reference (the network Han et al. 2015 pruned): conv 11×11/4 96,
//                 LRN, pool 3/2; conv 5×5 256 groups 2, LRN, pool; conv 3×3 384; conv 3×3 384 groups 2; conv 3×3 256
//                 groups 2, pool; fc 9216→4096→4096→1000 with ReLU and dropout. 60,965,224 parameters, 724 M MACs.
//   vgg16         Simonyan & Zisserman 2015, configuration D (torchvision vgg16): 13 conv 3×3 + ReLU in 5 blocks of
//                 64/128/256/512/512 channels, max pool 2×2 after each; fc 25088→4096→4096→1000 with ReLU and dropout.
//                 138,357,544 parameters, 15.47 G MACs per image.
//   mobilenet-v2  Sandler et al. 2018 (torchvision mobilenet_v2, width 1.0): stem conv 3×3/2 32, 17 inverted residual
//                 blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1),
//                 conv 1×1 1280, GAP, dropout 0.2, fc 1000. 3,504,872 parameters, 300.8 M MACs per image.
//   resnet-50, squeezenet (1.0), googlenet (Caffe's bvlc_googlenet): graphs in Models/Paper, one file each.
// Weights Kaiming-uniform (KaimingInit), BatchNorm at its initial state (γ 1, β 0, mean 0, var 1).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The seed papers' networks at ImageNet size, for benchmarks.</summary>
public static class PaperNetworks
{
    /// <summary>The networks this class builds.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["alexnet", "vgg16", "resnet-50", "squeezenet", "googlenet", "mobilenet-v2", "lenet-300-100", "lenet-5"];

    /// <summary>Input of one example of <paramref name="name"/> (no batch axis): 3×224×224, AlexNet 3×227×227, LeNets 1×28×28.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static int[] InputShape(string name) => Canonical(name) switch
    {
        "alexnet" => [3, 227, 227],
        "lenet-300-100" or "lenet-5" => [1, 28, 28],
        _ => [3, 224, 224],
    };

    /// <summary>Builds <paramref name="name"/> with weights from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static Module Create(string name, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        var rng = new Random(seed);
        Module net = Canonical(name) switch
        {
            "alexnet" => AlexNet(rng),
            "vgg16" => Vgg16(rng),
            "resnet-50" => Paper.ResNet50.Build(rng),
            "squeezenet" => Paper.SqueezeNet10.Build(rng),
            "googlenet" => Paper.GoogLeNet.Build(rng),
            "mobilenet-v2" => MobileNetV2(rng, seed),
            var lenet => ModelZoo.Create(lenet, seed),
        };
        KaimingInit.Apply(net, rng);
        return net;
    }

    private static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown paper network '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
    }

    private static Sequential AlexNet(Random rng) => new Sequential()
        .Add("conv1", new Conv2d(3, 96, 11, rng, stride: 4)).Add("relu1", new ReLU()).Add("norm1", new LocalResponseNorm(5))
        .Add("pool1", new MaxPool2d(3, 2))
        .Add("conv2", new Conv2d(96, 256, 5, rng, padding: 2, groups: 2)).Add("relu2", new ReLU()).Add("norm2", new LocalResponseNorm(5))
        .Add("pool2", new MaxPool2d(3, 2))
        .Add("conv3", new Conv2d(256, 384, 3, rng, padding: 1)).Add("relu3", new ReLU())
        .Add("conv4", new Conv2d(384, 384, 3, rng, padding: 1, groups: 2)).Add("relu4", new ReLU())
        .Add("conv5", new Conv2d(384, 256, 3, rng, padding: 1, groups: 2)).Add("relu5", new ReLU())
        .Add("pool5", new MaxPool2d(3, 2))
        .Add("flatten", new Flatten())
        .Add("fc6", new Linear(256 * 6 * 6, 4096, rng)).Add("relu6", new ReLU()).Add("drop6", new Dropout(0.5f, 6))
        .Add("fc7", new Linear(4096, 4096, rng)).Add("relu7", new ReLU()).Add("drop7", new Dropout(0.5f, 7))
        .Add("fc8", new Linear(4096, 1000, rng));

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
