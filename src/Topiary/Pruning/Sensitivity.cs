// Sensitivity: Han et al. 2015's per-layer sensitivity analysis — prune ONE layer at a time
// (magnitude, element-wise) to increasing sparsity, without retraining, and measure test accuracy.
// The model is restored exactly (values and masks) after every point. With several ranks the points fan out.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Pruning;

/// <summary>Accuracy of the model with one layer pruned to each sparsity.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Kind">Conv or FC.</param>
/// <param name="Sparsity">Sparsity levels.</param>
/// <param name="Accuracy">Test accuracy at each level.</param>
public sealed record SensitivityCurve(string Layer, LayerKind Kind, double[] Sparsity, double[] Accuracy);

/// <summary>Per-layer pruning sensitivity.</summary>
public static class Sensitivity
{
    /// <summary>The default sparsity levels: 0, 10, ..., 90, 95%.</summary>
    public static IReadOnlyList<double> DefaultLevels { get; } = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

    /// <summary>Runs the analysis for every prunable layer of <paramref name="model"/> (restored afterwards).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A level outside [0, 1].</exception>
    public static IReadOnlyList<SensitivityCurve> Run(Module model, ImageDataset test, IReadOnlyList<double>? levels = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        var lv = (levels ?? DefaultLevels).ToArray();
        foreach (double s in lv)
            if (!(s >= 0 && s <= 1)) throw new ArgumentOutOfRangeException(nameof(levels), s, "Sparsity levels must be in [0, 1].");
        // Data-parallel: the (layer, level) points are independent; point p runs on rank p mod W, and the accuracies are
        // gathered by a sum (every other rank contributes 0), so every rank returns the single-process curves.
        var communicator = Distributed.DataParallel.Current;
        var layers = PrunableLayer.Find(model);
        var all = new double[layers.Count * lv.Length];
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            using var trial = MaskTrial.Of(layer);
            for (int i = 0; i < lv.Length; i++)
            {
                if ((l * lv.Length + i) % communicator.Size != communicator.Rank) continue;
                cancellationToken.ThrowIfCancellationRequested();
                MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(lv[i]));
                all[l * lv.Length + i] = TrainingRun.Evaluate(model, test, cancellationToken).Accuracy;
                trial.Undo();
            }
        }
        communicator.AllReduceSum(all);
        var curves = new List<SensitivityCurve>();
        for (int l = 0; l < layers.Count; l++)
        {
            var acc = all.AsSpan(l * lv.Length, lv.Length).ToArray();
            curves.Add(new SensitivityCurve(layers[l].Name, layers[l].Kind, lv, acc));
            progress?.Report($"sensitivity {layers[l].Name}: " + string.Join(", ", lv.Select((s, i) => $"{s:P0} → {acc[i]:P2}")));
        }
        return curves;
    }
}
