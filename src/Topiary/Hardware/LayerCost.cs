// LayerCost and ILayerCostModel: the common currency of the hardware models — for one layer stored in one
// format, the estimated (or measured) seconds per inference and the weight storage in bytes, plus a one-line
// account of how the number was obtained. NetworkCost sums these.
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>Cost of one layer in one format on one platform.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Format">Storage/kernel format.</param>
/// <param name="Seconds">Time per inference (per batch for batched models).</param>
/// <param name="WeightBytes">Weight storage in this format (values + indices + row pointers; biases excluded).</param>
/// <param name="Detail">How the number was computed (terms and their values).</param>
public sealed record LayerCost(string Layer, SparseFormat Format, double Seconds, long WeightBytes, string Detail);

/// <summary>A per-layer cost model of one platform.</summary>
public interface ILayerCostModel
{
    /// <summary>Platform name (a <see cref="HardwareProfile.Name"/>).</summary>
    string Platform { get; }

    /// <summary>Every assumption the model makes, one sentence each.</summary>
    IReadOnlyList<string> Assumptions { get; }

    /// <summary>Cost of <paramref name="layer"/> stored and run as <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The model does not cover <paramref name="format"/>.</exception>
    LayerCost Cost(LayerWorkload layer, SparseFormat format);
}
