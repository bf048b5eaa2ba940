// ScalpelSelection: Scalpel's choice of technique per layer from the hardware's parallelism (Table 1 of
// the paper, PAPERS.md §2):
//   Low      (micro-controller)  SIMD-aware weight pruning on every layer; group width = 16-bit SIMD lanes (2 on a Cortex-M4)
//   Moderate (desktop CPU)       SIMD-aware pruning on FC layers + node pruning on conv layers
//   High     (GPU)               node pruning on every layer but the last (layers stay dense, only smaller)
// Node pruning never applies to the last weight layer: its outputs are the model's outputs (it shrinks in its
// inputs when the layer before it loses nodes). The group width for a moderate host is its float SIMD lanes,
// capped at 8 by default: the paper's i7 used AVX (8 floats), and on AVX-512 machines width 16 cost LeNet-300-100
// 0.15 points of accuracy at 15.5x (1.65% vs 1.50% test error, same schedule) for little kernel gain.
using Topiary.Hardware;
using Topiary.Nn;

namespace Topiary.Pruning.Scalpel;

/// <summary>Scalpel's technique for one layer.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Kind">Conv or FC.</param>
/// <param name="Technique">What is done to it.</param>
/// <param name="GroupWidth">SIMD group width for <see cref="ScalpelTechnique.SimdAware"/>, else 0.</param>
public sealed record ScalpelLayerChoice(string Layer, LayerKind Kind, ScalpelTechnique Technique, int GroupWidth);

/// <summary>Chooses Scalpel's technique per layer for a hardware profile.</summary>
public static class ScalpelSelection
{
    /// <summary>The default SIMD group width for a profile: 16-bit lanes on low-parallelism hardware, float lanes capped at 8 otherwise.</summary>
    public static int DefaultGroupWidth(HardwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Parallelism == ParallelismClass.Low ? Math.Max(1, profile.Int16Lanes) : Math.Clamp(profile.FloatLanes, 1, 8);
    }

    /// <summary>The per-layer choice for <paramref name="layers"/> (in model order) on <paramref name="profile"/>.</summary>
    /// <param name="profile">The target hardware.</param>
    /// <param name="layers">The model's prunable layers, in order.</param>
    /// <param name="groupWidth">SIMD group width; null = <see cref="DefaultGroupWidth"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupWidth"/> is below 1.</exception>
    public static IReadOnlyList<ScalpelLayerChoice> Choose(HardwareProfile profile, IReadOnlyList<PrunableLayer> layers, int? groupWidth = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(layers);
        int width = groupWidth ?? DefaultGroupWidth(profile);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1, nameof(groupWidth));
        var choices = new ScalpelLayerChoice[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            bool last = i == layers.Count - 1;
            ScalpelTechnique t = profile.Parallelism switch
            {
                ParallelismClass.Low => ScalpelTechnique.SimdAware,
                ParallelismClass.Moderate => l.Kind == LayerKind.Fc ? ScalpelTechnique.SimdAware : ScalpelTechnique.NodePruning,
                _ => ScalpelTechnique.NodePruning,
            };
            if (t == ScalpelTechnique.NodePruning && last) t = ScalpelTechnique.None;
            choices[i] = new ScalpelLayerChoice(l.Name, l.Kind, t, t == ScalpelTechnique.SimdAware ? width : 0);
        }
        return choices;
    }
}
