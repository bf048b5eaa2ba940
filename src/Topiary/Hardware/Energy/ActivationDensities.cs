// ActivationDensities: the fraction of non-zero values in the tensor entering each weight layer (Linear,
// Conv2d) — the "input-activation density" the energy models take.
//   Measured: run examples through a trainable Topiary model in inference mode, walking Sequential /
//   Residual / Concat children like OpCounter, and count non-zeros of each weight layer's input over all
//   examples: density = non-zeros / elements (padding is not part of the tensor, so not counted).
//   Assumed (shape-only models, nothing to run): the first layer sees the image, assumed dense (1.0); every
//   later layer is assumed to follow a ReLU that zeroes about half of its inputs (0.5). This is an
//   ASSUMPTION, not a measurement: real ImageNet networks measure roughly 0.3–0.7 per layer, and layers not
//   preceded by a ReLU (e.g. after a pool of a non-ReLU conv, as in Caffe LeNet-5) are dense.
using Topiary.Models.Shapes;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Hardware.Energy;

/// <summary>Input-activation density of one weight layer.</summary>
/// <param name="Name">Dotted module name (as in <see cref="OpCounter"/> and <see cref="NetworkShape.FromModel"/>).</param>
/// <param name="Density">Non-zeros / elements of the layer's input over all measured examples.</param>
/// <param name="Elements">Elements counted.</param>
public sealed record LayerActivationDensity(string Name, double Density, long Elements);

/// <summary>Measured and assumed input-activation densities.</summary>
public static class ActivationDensities
{
    /// <summary>Assumed density of a network's first layer input (the image): 1.0.</summary>
    public const double AssumedFirstLayer = 1.0;

    /// <summary>Assumed density of every later layer's input (after a ReLU): 0.5.</summary>
    public const double AssumedAfterRelu = 0.5;

    /// <summary>The documented assumption for a shape-only network: 1.0 for the first layer, 0.5 for the rest.</summary>
    public static double[] Assumed(NetworkShape network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var d = new double[network.Layers.Count];
        for (int i = 0; i < d.Length; i++) d[i] = i == 0 ? AssumedFirstLayer : AssumedAfterRelu;
        return d;
    }

    /// <summary>
    /// Measures the density of each weight layer's input over the examples of <paramref name="inputs"/>
    /// (shape [N, ...]), run in inference mode in batches of <paramref name="batchSize"/>.
    /// </summary>
    /// <returns>One entry per Linear/Conv2d in forward order.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> has no examples, or the model has no weight layer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public static IReadOnlyList<LayerActivationDensity> Measure(Module model, Tensor inputs, int batchSize = 100,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int n = inputs.Dim(0);
        if (inputs.Rank < 2 || n == 0) throw new ArgumentException($"Need a batch [N, ...] with N ≥ 1; got shape [{string.Join(", ", inputs.Shape.ToArray())}].", nameof(inputs));
        var counts = new List<(string Name, long NonZero, long Total)>();
        int example = inputs.Length / n;
        for (int start = 0; start < n; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, n - start);
            var shape = inputs.Shape.ToArray();
            shape[0] = count;
            var batch = new Tensor(inputs.Data.AsSpan(start * example, count * example).ToArray(), shape);
            int layer = 0;
            Walk(model, "", batch, counts, ref layer);
        }
        if (counts.Count == 0) throw new ArgumentException("The model has no Linear or Conv2d layer.", nameof(model));
        return counts.Select(c => new LayerActivationDensity(c.Name, (double)c.NonZero / c.Total, c.Total)).ToArray();
    }

    private static Tensor Walk(Module m, string name, Tensor x, List<(string Name, long NonZero, long Total)> counts, ref int layer)
    {
        switch (m)
        {
            case Sequential s:
                foreach (var (child, module) in s.NamedChildren()) x = Walk(module, Join(name, child), x, counts, ref layer);
                return x;
            case Residual r:
                Walk(r.Body, Join(name, "body"), x, counts, ref layer);
                if (r.Shortcut is not null) Walk(r.Shortcut, Join(name, "shortcut"), x, counts, ref layer);
                return m.Forward(x, training: false).Clone();
            case Concat c:
            {
                int i = 0;
                foreach (var branch in c.Branches)
                    Walk(branch, Join(name, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), x, counts, ref layer);
                return m.Forward(x, training: false).Clone();
            }
        }
        if (m is Linear or Conv2d)
        {
            long nonZero = 0;
            foreach (float v in x.Data) if (v != 0) nonZero++;
            if (layer == counts.Count) counts.Add((name, 0, 0));
            var (n, z, t) = counts[layer];
            counts[layer++] = (n, z + nonZero, t + x.Length);
        }
        return m.Forward(x, training: false).Clone();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
