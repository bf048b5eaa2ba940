// Mao2017MemRefTable: Mao et al. (NIPS 2017)'s output memory references of VGG-16's convolutional layers at three
// densities — fine-grained vs vector (1-D) sparsity — beside the same counts from our simulator (MemRefStudy with
// MemRefStudyOptions.Mao2017 by default). A pure function of the shape zoo and the options: seeded synthetic masks,
// no training.
using Topiary.Hardware.MemoryReferences;
using Topiary.Models.Shapes;

namespace Topiary.Experiments;

/// <summary>One density of the table: the paper's counts and ours.</summary>
/// <param name="Density">Weight density of the conv layers.</param>
/// <param name="PaperFine">Paper: fine-grained output references.</param>
/// <param name="PaperVector">Paper: vector output references.</param>
/// <param name="Fine">Ours: fine-grained output references.</param>
/// <param name="Vector">Ours: vector output references.</param>
/// <param name="Products">Ours: products (fine-grained), for scale.</param>
public sealed record Mao2017MemRefRow(double Density, double PaperFine, double PaperVector, long Fine, long Vector, long Products)
{
    /// <summary>Paper: vector / fine.</summary>
    public double PaperRatio => PaperVector / PaperFine;

    /// <summary>Ours: vector / fine.</summary>
    public double Ratio => Fine == 0 ? 0 : (double)Vector / Fine;
}

/// <summary>Mao et al. 2017's VGG-16 memory-reference table reproduced by the simulator.</summary>
public static class Mao2017MemRefTable
{
    /// <summary>The paper's rows: (density, fine-grained, vector) output references of VGG-16's conv layers.</summary>
    public static IReadOnlyList<(double Density, double Fine, double Vector)> Paper { get; } =
        [(0.401, 1.77e9, 1.23e9), (0.331, 1.53e9, 1.03e9), (0.275, 1.33e9, 0.87e9)];

    /// <summary>Runs fine and vector at every paper density on VGG-16.</summary>
    /// <param name="basis">Study options (default <see cref="MemRefStudyOptions.Mao2017"/>); density and granularity are set per run.</param>
    /// <param name="progress">Per-layer messages.</param>
    /// <param name="cancellationToken">Cancels between layers.</param>
    public static IReadOnlyList<Mao2017MemRefRow> Reproduce(MemRefStudyOptions? basis = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        basis ??= MemRefStudyOptions.Mao2017;
        var net = ShapeZoo.ByName("vgg16");
        return Paper.Select(p =>
        {
            var fine = MemRefStudy.Run(net, basis with { WeightDensity = p.Density, Granularity = SparseDataflow.Fine }, progress, cancellationToken);
            var vector = MemRefStudy.Run(net, basis with { WeightDensity = p.Density, Granularity = SparseDataflow.Vector }, progress, cancellationToken);
            return new Mao2017MemRefRow(p.Density, p.Fine, p.Vector, fine.TotalOutputReferences, vector.TotalOutputReferences, fine.TotalProducts);
        }).ToArray();
    }
}
