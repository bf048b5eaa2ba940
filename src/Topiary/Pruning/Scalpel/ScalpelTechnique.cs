// ScalpelTechnique: what Scalpel (Yu et al., ISCA 2017) does to one layer for a given hardware class.
namespace Topiary.Pruning.Scalpel;

/// <summary>The pruning technique Scalpel applies to a layer.</summary>
public enum ScalpelTechnique
{
    /// <summary>Leave the layer's weights alone (its inputs may still shrink when the previous layer loses nodes).</summary>
    None,
    /// <summary>SIMD-aware weight pruning: remove aligned groups of SIMD-width consecutive weights (RMS score).</summary>
    SimdAware,
    /// <summary>Node pruning: gate the layer's output neurons/channels and physically remove the blocked ones.</summary>
    NodePruning,
}
