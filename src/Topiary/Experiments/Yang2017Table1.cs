// Yang2017Table1: AlexNet in Yang, Chen, Sze (CVPR 2017), Table 1 — the paper's non-zero weights, non-skipped MACs
// and energy (normalised to one 16-bit MAC) for the original network and Han et al.'s magnitude-pruned one — beside
// the same figures from our Eyeriss model: Han et al. 2015's published per-layer densities (PublishedDensities) and
// ImageNet-measured input-activation densities (PublishedActivationDensities). A pure function of the shape zoo and
// the energy model. (The paper's third row, its energy-aware AlexNet, has no published per-layer densities.)
using Topiary.Hardware.Energy;
using Topiary.Models.Shapes;

namespace Topiary.Experiments;

/// <summary>One row of Table 1: the paper's figures and ours.</summary>
/// <param name="Name">original or magnitude (Han et al. 2015).</param>
/// <param name="PaperNonzeroWeights">Paper: non-zero weights.</param>
/// <param name="PaperNonSkippedMacs">Paper: non-skipped MACs.</param>
/// <param name="PaperEnergy">Paper: energy (one 16-bit MAC = 1).</param>
/// <param name="NonzeroWeights">Ours: Σ weights·density.</param>
/// <param name="NonSkippedMacs">Ours: Σ MACs·weight density·input density.</param>
/// <param name="Energy">Ours: Eyeriss energy.</param>
public sealed record Yang2017TableRow(string Name, double PaperNonzeroWeights, double PaperNonSkippedMacs, double PaperEnergy,
    double NonzeroWeights, double NonSkippedMacs, double Energy);

/// <summary>Yang et al. 2017 Table 1 (AlexNet) reproduced by the energy model.</summary>
public static class Yang2017Table1
{
    /// <summary>Paper, original AlexNet: 60.95 M non-zero weights, 3.71e8 non-skipped MACs, energy 3.97e9.</summary>
    public static (double NonzeroWeights, double NonSkippedMacs, double Energy) PaperOriginal { get; } = (60.95e6, 3.71e8, 3.97e9);

    /// <summary>Paper, magnitude-pruned AlexNet (Han et al. 2015): 6.79 M, 1.79e8, 1.85e9.</summary>
    public static (double NonzeroWeights, double NonSkippedMacs, double Energy) PaperMagnitude { get; } = (6.79e6, 1.79e8, 1.85e9);

    /// <summary>Computes both rows with <paramref name="model"/> (default <see cref="EyerissEnergyModel.Default"/>) at 16 bits.</summary>
    public static IReadOnlyList<Yang2017TableRow> Reproduce(ILayerEnergyModel? model = null)
    {
        model ??= EyerissEnergyModel.Default;
        var net = ShapeZoo.ByName("alexnet");
        var (activations, _) = PublishedActivationDensities.For("alexnet");
        var ad = net.Layers.Select(l => activations[l.Name]).ToArray();
        var han = PublishedDensities.Han2015("alexnet");
        Yang2017TableRow Row(string name, double[] wd, (double W, double M, double E) paper)
        {
            var e = NetworkEnergy.Estimate(model, net, wd, ad, 16);
            return new Yang2017TableRow(name, paper.W, paper.M, paper.E, e.Layers.Sum(l => l.NonzeroWeights), e.NonSkippedMacs, e.Total.Total);
        }
        return
        [
            Row("original", net.Layers.Select(_ => 1.0).ToArray(), PaperOriginal),
            Row("magnitude (Han et al. 2015)", net.Layers.Select(l => han[l.Name]).ToArray(), PaperMagnitude),
        ];
    }
}
