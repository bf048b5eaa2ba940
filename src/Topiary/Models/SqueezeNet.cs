// SqueezeNet: SqueezeNet 1.1 (Iandola et al. 2016; torchvision squeezenet1_1) scaled to 1×28×28 inputs, with
// BatchNorm after every convolution but the classifier (see FireModule for why).
//   features.0  conv 3×3 1→64 pad 1 (no bias) → features.1 BN → features.2 ReLU             [N, 64, 28, 28]
//   features.3  maxpool 3×3 stride 2 pad 1                                                  [N, 64, 14, 14]
//   features.4  fire(64 → s16, e64 + e64)    features.5 fire(128 → s16, e64 + e64)          [N, 128, 14, 14]
//   features.6  maxpool 3×3 stride 2 pad 1                                                  [N, 128, 7, 7]
//   features.7  fire(128 → s32, e128 + e128) features.8 fire(256 → s32, e128 + e128)        [N, 256, 7, 7]
//   features.9  fire(256 → s48, e192 + e192) features.10 fire(384 → s48, e192 + e192)       [N, 384, 7, 7]
//   classifier.0 dropout 0.5 → classifier.1 conv 1×1 384→10 (bias) → classifier.2 global avgpool → flatten  [N, 10]
// Why this layout: 1.1's first two stages unchanged (fire2–fire5 with 16/32 squeeze filters), the stem at stride 1
// (a 28×28 image cannot lose a factor 4 before the first Fire module), two overlapping 3×3/2 pools instead of three
// (28 → 14 → 7), and 1.1's third stage cut to fire6/fire7 (48 squeeze, 384 out) — fire8/fire9 (64 squeeze, 512 out)
// would double the parameters for a 10-class 28×28 problem. The paper's classifier is kept — dropout 0.5, a 1×1 conv
// to the classes, global average pooling, no fully connected layer — except its ReLU before the pooling: with it the
// logits are ≥ 0 and a class whose map turns negative everywhere gets no gradient again; with BN and the ReLU the
// net was still at 29.6% test error after 300 steps (12,800 images × 3 epochs).
// Parameters (BN γ, β included): stem 576 + 128 = 704; fire 11,552 + 12,576 + 45,632 + 49,728 + 105,312 + 111,456;
// classifier 3,850; total 340,810.
// MACs per image: 451,584 + 2,207,744 + 2,408,448 + 2,207,744 + 2,408,448 + 5,117,952 + 5,419,008 + 188,160
// = 20,409,088 (20.4 M).
// Weights Kaiming-uniform (KaimingInit) except the final conv, N(0, 0.01²) as in torchvision; its bias zero.
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>SqueezeNet 1.1 with six Fire modules and BatchNorm, scaled for 1×28×28 inputs (zoo name <c>squeezenet</c>).</summary>
public static class SqueezeNet
{
    /// <summary>Reference recipe (Fashion-MNIST and MNIST): SGD momentum 0.9, weight decay 5e-4, batch 128, cosine from 0.1, 8 epochs.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.CosineSgd();

    /// <summary>Builds the network; weights from <paramref name="seed"/>, dropout seeded from it.</summary>
    public static Module Create(int seed)
    {
        var rng = new Random(seed);
        var features = new Sequential()
            .Add("0", new Conv2d(1, 64, 3, rng, padding: 1, bias: false))
            .Add("1", new BatchNorm2d(64))
            .Add("2", new ReLU())
            .Add("3", new MaxPool2d(3, 2, 1))
            .Add("4", FireModule.Create(64, 16, 64, 64, rng))
            .Add("5", FireModule.Create(128, 16, 64, 64, rng))
            .Add("6", new MaxPool2d(3, 2, 1))
            .Add("7", FireModule.Create(128, 32, 128, 128, rng))
            .Add("8", FireModule.Create(256, 32, 128, 128, rng))
            .Add("9", FireModule.Create(256, 48, 192, 192, rng))
            .Add("10", FireModule.Create(384, 48, 192, 192, rng));
        var finalConv = new Conv2d(384, 10, 1, rng);
        var classifier = new Sequential()
            .Add("0", new Dropout(0.5f, seed * 31 + 7))
            .Add("1", finalConv)
            .Add("2", new GlobalAvgPool2d());
        var net = new Sequential()
            .Add("features", features)
            .Add("classifier", classifier)
            .Add("flatten", new Flatten());
        KaimingInit.Apply(net, rng);
        Init.Normal(finalConv.Weight.Value, 0.01f, rng);
        return net;
    }
}
