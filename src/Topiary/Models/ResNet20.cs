// ResNet20: the CIFAR ResNet of He et al. 2016 §4.2 with n = 3 (6n + 2 = 20 weight layers), for 1×28×28 inputs:
//   conv1 3×3 1→16 pad 1 (no bias) → bn1 → relu                          [N, 16, 28, 28]
//   layer1: 3 basic blocks 16→16, stride 1, identity shortcuts            [N, 16, 28, 28]
//   layer2: 3 basic blocks 16→32, stride 2 in block 0 (1×1 conv + BN projection shortcut)   [N, 32, 14, 14]
//   layer3: 3 basic blocks 32→64, stride 2 in block 0 (1×1 conv + BN projection shortcut)   [N, 64, 7, 7]
//   avgpool (global) → flatten → fc 64→10                                  [N, 10]
// Basic block: ResNetBasicBlock (conv-bn-relu-conv-bn + shortcut, ReLU after the addition). The paper's CIFAR net
// pads the identity shortcut with zeros (option A); this one projects at the two stage changes (option B), as
// the issue asks, which adds 2 × (1×1 conv + BN) = 2,752 parameters.
// Parameters (BatchNorm γ and β included, running statistics are buffers):
//   conv1 144 + bn1 32 + layer1 3·(2·2,304 + 2·32) = 14,016
//   + layer2 (4,608 + 64 + 9,216 + 64 + 512 + 64) + 2·(2·9,216 + 2·64) = 14,528 + 37,120
//   + layer3 (18,432 + 128 + 36,864 + 128 + 2,048 + 128) + 2·(2·36,864 + 2·128) = 57,728 + 147,968
//   + fc 650                                                              = 272,186
// MACs per image: 112,896 + 10,838,016 + 10,035,200 + 10,035,200 + 640 = 31,021,952 (31.0 M).
// Names follow torchvision's ResNet with Topiary's Residual in each block: conv1, bn1, layer1.0.body.conv1,
// layer1.0.body.bn1, layer1.0.body.conv2, layer1.0.body.bn2, layer2.0.shortcut.0 (conv), layer2.0.shortcut.1 (BN), fc.
// Weights Kaiming-uniform (KaimingInit), convolutions without bias (BN follows), fc bias zero.
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>ResNet-20 (He et al. 2016, CIFAR variant with projection shortcuts) for 1×28×28 inputs (zoo name <c>resnet-20</c>).</summary>
public static class ResNet20
{
    /// <summary>Reference recipe (Fashion-MNIST and MNIST): SGD momentum 0.9, weight decay 5e-4, batch 128, cosine from 0.1, 8 epochs.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.CosineSgd();

    /// <summary>Builds the network; weights Kaiming-uniform from <paramref name="seed"/>.</summary>
    public static Module Create(int seed) => ModelZoo.Seeded(seed, rng => new Sequential()
        .Add("conv1", new Conv2d(1, 16, 3, rng, padding: 1, bias: false))
        .Add("bn1", new BatchNorm2d(16))
        .Add("relu", new ReLU())
        .Add("layer1", ResNetBasicBlock.Stage(16, 16, blocks: 3, stride: 1, rng))
        .Add("layer2", ResNetBasicBlock.Stage(16, 32, blocks: 3, stride: 2, rng))
        .Add("layer3", ResNetBasicBlock.Stage(32, 64, blocks: 3, stride: 2, rng))
        .Add("avgpool", new GlobalAvgPool2d())
        .Add("flatten", new Flatten())
        .Add("fc", new Linear(64, 10, rng)), KaimingInit.Apply);
}
