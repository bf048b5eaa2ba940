// FeatureMapSampler: builds a layer's FeatureMapSample from training images. For `Images` images chosen
// with a seeded RNG (without replacement when possible), both models run in inference mode up to the layer
// (LayerInput.Capture); a convolution's inputs are unfolded (Im2Col, row order (c·KH + kh)·KW + kw, the
// order of the weight's [M, C, KH, KW] flattening) and `PositionsPerImage` output positions are drawn per
// image (all of them when there are fewer); a linear layer gives one row per image, and uses at least
// MinRowsPerInput·K images (at most MaxLinearImages) so that its least-squares refit is over-determined.
//   X row = the CURRENT model's input column at that position;
//   Y row = W_ref · (the REFERENCE model's input column at the same position), no bias.
// Using the current inputs with the original outputs lets a refit also absorb the error that pruning the
// layers before it introduced.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Pruning.EnergyAware;

/// <summary>How many sampled rows a layer sample holds.</summary>
/// <param name="Images">Training images run through the models.</param>
/// <param name="PositionsPerImage">Output positions drawn per image for a convolution (a linear layer has one).</param>
/// <param name="Seed">Seed of the image and position draws.</param>
/// <param name="MinRowsPerInput">A linear layer with K inputs samples at least this many rows per input (images = max(Images, this·K)).</param>
/// <param name="MaxLinearImages">Cap on a linear layer's images.</param>
public sealed record SamplerOptions(int Images = 1000, int PositionsPerImage = 4, int Seed = 1, int MinRowsPerInput = 2, int MaxLinearImages = 5000)
{
    /// <summary>Throws when a count is below 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Images, PositionsPerImage or MaxLinearImages below 1, or MinRowsPerInput negative.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Images, 1, nameof(Images));
        ArgumentOutOfRangeException.ThrowIfLessThan(PositionsPerImage, 1, nameof(PositionsPerImage));
        ArgumentOutOfRangeException.ThrowIfNegative(MinRowsPerInput, nameof(MinRowsPerInput));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLinearImages, 1, nameof(MaxLinearImages));
    }
}

/// <summary>Samples a layer's im2col'd inputs and original outputs.</summary>
public static class FeatureMapSampler
{
    private const int Chunk = 200;

    /// <summary>
    /// Samples layer <paramref name="layer"/> (a Linear or Conv2d module name) of <paramref name="current"/>, with
    /// outputs from the same layer of <paramref name="reference"/> (same architecture, e.g. the dense original).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown layer, a layer that is not Linear/Conv2d, a grouped Conv2d, or architectures that differ at the layer.</exception>
    public static FeatureMapSample Sample(Module current, Module reference, string layer, ImageDataset data, SamplerOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var cur = PrunableLayer.ByName(PrunableLayer.Find(current), layer);
        var refLayer = PrunableLayer.ByName(PrunableLayer.Find(reference), layer);
        if (!cur.Weight.Value.SameShape(refLayer.Weight.Value))
            throw new ArgumentException($"Layer '{layer}': weight shapes differ between the current and the reference model.", nameof(reference));
        // A grouped filter reads only its group's channels, so a full im2col column is not its input vector.
        if (cur.Module is Conv2d { Groups: > 1 } grouped)
            throw new ArgumentException($"Layer '{layer}' ({grouped}): grouped convolutions (groups = {grouped.Groups}) cannot be sampled; only groups = 1.", nameof(layer));
        var w = refLayer.Weight.Value;
        int m = w.Dim(0), k = w.Length / m;

        var rng = new Random(options.Seed);
        int images = cur.Module is Linear ? Math.Max(options.Images, Math.Min(options.MaxLinearImages, options.MinRowsPerInput * k)) : options.Images;
        images = Math.Min(images, data.Count);
        var chosen = Draw(rng, data.Count, images);
        var xs = new List<float>();
        var ys = new List<double>();
        int rows = 0;
        var wData = w.Data;
        for (int start = 0; start < images; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(Chunk, images - start);
            var batch = new Tensor(n, data.Channels, data.Height, data.Width);
            for (int i = 0; i < n; i++) data.Image(chosen[start + i]).CopyTo(batch.Data.AsSpan(i * data.ImageSize, data.ImageSize));
            var xc = LayerInput.Capture(current, layer, batch);
            var xr = LayerInput.Capture(reference, layer, batch);
            if (cur.Module is Conv2d conv)
            {
                if (xc.Rank != 4) throw new ArgumentException($"Layer '{layer}': expected a [N, C, H, W] input.", nameof(layer));
                var g = conv.Geometry(xc.Dim(2), xc.Dim(3));
                int p = g.ColumnCols, img = g.ImageSize;
                var colC = new float[(long)k * p];
                var colR = new float[(long)k * p];
                var column = new float[k];
                for (int i = 0; i < n; i++)
                {
                    Im2Col.Unfold(xc.Data.AsSpan(i * img, img), g, colC, p);
                    Im2Col.Unfold(xr.Data.AsSpan(i * img, img), g, colR, p);
                    foreach (int pos in Draw(rng, p, Math.Min(options.PositionsPerImage, p)))
                    {
                        for (int j = 0; j < k; j++) xs.Add(colC[(long)j * p + pos]);
                        for (int j = 0; j < k; j++) column[j] = colR[(long)j * p + pos];
                        AddOutputs(ys, wData, column, m, k);
                        rows++;
                    }
                }
            }
            else
            {
                if (xc.Length != n * k) throw new ArgumentException($"Layer '{layer}': expected {k} input features per example.", nameof(layer));
                for (int i = 0; i < n; i++)
                {
                    xs.AddRange(xc.Data.AsSpan(i * k, k));
                    AddOutputs(ys, wData, xr.Data.AsSpan(i * k, k), m, k);
                    rows++;
                }
            }
        }
        return new FeatureMapSample(layer, xs.ToArray(), ys.ToArray(), rows, k, m);
    }

    private static void AddOutputs(List<double> ys, float[] w, ReadOnlySpan<float> x, int m, int k)
    {
        for (int f = 0; f < m; f++)
        {
            double s = 0;
            var wf = w.AsSpan(f * k, k);
            for (int j = 0; j < k; j++) s += (double)wf[j] * x[j];
            ys.Add(s);
        }
    }

    // `count` distinct indices of [0, n) in a seeded random order (partial Fisher-Yates).
    private static int[] Draw(Random rng, int n, int count)
    {
        var idx = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = rng.Next(i, n);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx[..count];
    }
}
