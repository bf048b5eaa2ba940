// MobileNetV2: Sandler et al. 2018 (torchvision mobilenet_v2) at width 0.5 for 1×28×28 inputs.
// Strides: ImageNet's net halves the resolution five times (224 → 7); a 28×28 image affords three (28 → 4). The stem
// runs at stride 1 and the 160-channel stage (features.14–16) at stride 1, so the resolution goes 28 → 14 → 7 → 4
// at the first block of the 24-, 32- and 64-channel stages. (The common CIFAR adaptation instead keeps the 24-channel
// stage at full resolution and halves at the 160-channel stage; at 28×28 that costs 23.1 M MACs per image instead of
// 12.9 M, and its 96-channel 28×28 maps made training 1.7x slower here.)
//   features.0   conv 3×3 1→16 pad 1 (no bias) → BN → ReLU6                          [N, 16, 28, 28]
//   features.1   inverted residual t 1, 16→8                                          [N, 8, 28, 28]
//   features.2–3   t 6, 8→16, 2 blocks, stride 2                                     [N, 16, 14, 14]
//   features.4–6   t 6, 16→16, 3 blocks, stride 2                                    [N, 16, 7, 7]
//   features.7–10  t 6, 16→32, 4 blocks, stride 2                                    [N, 32, 4, 4]
//   features.11–13 t 6, 32→48, 3 blocks, stride 1                                    [N, 48, 4, 4]
//   features.14–16 t 6, 48→80, 3 blocks, stride 1 (the paper: 2)                     [N, 80, 4, 4]
//   features.17  t 6, 80→160, stride 1                                                [N, 160, 4, 4]
//   features.18  conv 1×1 160→1280 (no bias) → BN → ReLU6                             [N, 1280, 4, 4]
//   avgpool (global) → flatten → classifier.0 dropout 0.2 → classifier.1 fc 1280→10   [N, 10]
// Width 0.5 rounds channels as torchvision (_make_divisible by 8: 32→16, 16→8, 24→16, 32→16, 64→32, 96→48,
// 160→80, 320→160) and keeps the last 1280 channels (width < 1). Blocks: InvertedResidual (identity added in
// features.3, 5, 6, 8–10, 12, 13, 15, 16). Names: torchvision's with each block's path under "body"
// (features.2.body.1.0.weight = torchvision features.2.conv.1.0.weight), classifier.1 = the fc.
// Parameters (BN γ, β included): 700,202. MACs per image: 12,919,392 (12.9 M).
// Weights Kaiming-uniform (KaimingInit; depthwise fan-in = 9), fc bias zero.
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>MobileNetV2 (width 0.5) for 1×28×28 inputs (zoo name <c>mobilenet-v2</c>).</summary>
public static class MobileNetV2
{
    /// <summary>Reference recipe (Fashion-MNIST and MNIST): SGD momentum 0.9, weight decay 5e-4, batch 128, cosine from 0.1, 8 epochs.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.CosineSgd();

    // (expansion t, output channels at width 0.5, blocks n, stride of the first block s)
    private static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 8, 1, 1), (6, 16, 2, 2), (6, 16, 3, 2), (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 1), (6, 160, 1, 1)];

    /// <summary>Builds the network; weights Kaiming-uniform from <paramref name="seed"/>, dropout seeded from it.</summary>
    public static Module Create(int seed) => ModelZoo.Seeded(seed, rng => Build(Settings, inChannels: 1, stemChannels: 16, stemStride: 1, classes: 10, rng, seed), KaimingInit.Apply);

    /// <summary>
    /// The MobileNetV2 layout for any stage settings (t, c, n, s): stem conv 3×3 → BN → ReLU6, the inverted residual
    /// blocks, conv 1×1 to 1280, global average pool, dropout 0.2 (seeded from <paramref name="seed"/>), fc to
    /// <paramref name="classes"/>; weights drawn from <paramref name="rng"/> in layer order (the caller re-draws them).
    /// Also PaperNetworks' ImageNet configuration.
    /// </summary>
    internal static Sequential Build((int T, int C, int N, int S)[] settings, int inChannels, int stemChannels, int stemStride, int classes,
        Random rng, int seed)
    {
        var features = new Sequential().Add("0", InvertedResidual.ConvBnReLU6(inChannels, stemChannels, 3, stemStride, 1, rng));
        int channels = stemChannels, index = 1;
        foreach (var (t, c, n, s) in settings)
        {
            for (int i = 0; i < n; i++)
            {
                features.Add(index++.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    InvertedResidual.Create(channels, c, i == 0 ? s : 1, t, rng));
                channels = c;
            }
        }
        features.Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture), InvertedResidual.ConvBnReLU6(channels, 1280, 1, 1, 1, rng));
        return new Sequential()
            .Add("features", features)
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("classifier", new Sequential()
                .Add("0", new Dropout(0.2f, seed * 31 + 7))
                .Add("1", new Linear(1280, classes, rng)));
    }
}
