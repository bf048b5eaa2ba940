// DeadNeuronLayerReport: what DeadNeuronRemover did to one weight layer — its unit count (Linear
// output neurons or Conv2d output channels) before and after, split by the reason each unit went.
namespace Topiary.Pruning.Structure;

/// <summary>Per-layer result of <see cref="DeadNeuronRemover.Remove"/>.</summary>
/// <param name="Name">Dotted module name (e.g. <c>fc1</c>, <c>features.0</c>).</param>
/// <param name="Kind"><c>Linear</c> (units are output neurons) or <c>Conv2d</c> (units are output channels).</param>
/// <param name="UnitsBefore">Units before removal.</param>
/// <param name="UnitsAfter">Units after removal (= before − removed).</param>
/// <param name="RemovedNoInput">Units removed because all their incoming weights were zero (their constant output folded into the next layer's bias).</param>
/// <param name="RemovedNoOutput">Units removed because every weight of the next layer reading them was zero.</param>
/// <param name="KeptDead">
/// Units still without inputs or outputs that could not be removed: a non-zero constant that cannot be folded
/// (consumer without bias, padded consumer Conv2d, padded AvgPool2d, masked consumer bias), an unsupported
/// boundary to the next layer, or the last unit of a layer. Always 0 for the last weight layer, whose outputs are kept.
/// </param>
public sealed record DeadNeuronLayerReport(
    string Name,
    string Kind,
    int UnitsBefore,
    int UnitsAfter,
    int RemovedNoInput,
    int RemovedNoOutput,
    int KeptDead)
{
    /// <summary>Units removed for either reason.</summary>
    public int Removed => RemovedNoInput + RemovedNoOutput;
}
