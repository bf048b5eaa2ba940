// ParallelismClass: Scalpel's three levels of hardware parallelism (Yu et al., ISCA 2017), which decide the
// pruning method: Low → SIMD-aware weight pruning everywhere; Moderate → SIMD-aware pruning on FC layers and
// node pruning on conv layers; High → node pruning only (layers stay dense).
namespace Topiary.Hardware;

/// <summary>How much parallelism a target offers (Scalpel's classification).</summary>
public enum ParallelismClass
{
    /// <summary>Micro-controller (e.g. ARM Cortex-M4): a few SIMD lanes, no cache.</summary>
    Low,
    /// <summary>Desktop/server CPU: wide SIMD, a few cores, deep caches.</summary>
    Moderate,
    /// <summary>GPU: thousands of lanes.</summary>
    High,
}
