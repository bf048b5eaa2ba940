// LayerCodebook: weight sharing for one Linear/Conv2d weight (Deep Compression stage 2).
// Contract:
//   - Survivors are the weights the pruning mask keeps (Mask[i] != 0); without a mask, every weight whose
//     value is not exactly 0. Only survivors are clustered, into at most K = 2^bits − 1 centroids.
//   - Code 0 is RESERVED for "zero / pruned" and always decodes to 0; codes 1..K index the centroids
//     (code c ↦ Centroids[c − 1]). Reserving it means a pruned weight, and the filler zeros the sparse
//     relative-index format inserts for long gaps, need no codebook entry: a b-bit code addresses 2^b − 1
//     shared values plus the zero. Hence Codes[i] == 0 exactly for the pruned weights.
//   - Reconstruct() writes W = C[I] (0 for code 0) into the weight parameter in place (optimizers and
//     checkpoints that hold the parameter stay valid), then re-applies the mask.
//   - Codes never change after creation; centroids change only through SetCentroids (TrainedQuantization
//     uses it), so a layer always holds at most K distinct non-zero values.
//   - The codebook is tied to the weight's length and to the mask it was built from; Validate() detects a
//     weight that was reshaped or pruned further since, and the mutating methods call it.
using Topiary.Pruning;

namespace Topiary.Compression.Quantization;

/// <summary>Shared weights of one layer: a centroid table and a code per weight (0 = pruned).</summary>
public sealed class LayerCodebook
{
    /// <summary>Smallest supported code width.</summary>
    public const int MinBits = 1;

    /// <summary>Largest supported code width (codes are stored as <see cref="ushort"/>).</summary>
    public const int MaxBits = 16;

    private readonly float[] _centroids;
    private readonly ushort[] _codes;

    private LayerCodebook(PrunableLayer layer, int bits, ushort[] codes, int survivors, KMeansResult clustering)
    {
        Layer = layer;
        Bits = bits;
        _centroids = (float[])clustering.Centroids.Clone(); // fine-tuning moves these; the clustering stays as it was
        _codes = codes;
        SurvivingCount = survivors;
        Clustering = clustering;
    }

    /// <summary>The quantized layer.</summary>
    public PrunableLayer Layer { get; }

    /// <summary>Dotted layer name (e.g. <c>fc1</c>).</summary>
    public string Name => Layer.Name;

    /// <summary>Code width in bits.</summary>
    public int Bits { get; }

    /// <summary>Largest number of centroids the code width allows: <c>2^Bits − 1</c> (code 0 is reserved for zero).</summary>
    public int MaxCentroids => (1 << Bits) - 1;

    /// <summary>Shared values; code <c>c ≥ 1</c> decodes to <c>Centroids[c − 1]</c>. Ascending at creation; fine-tuning may reorder them.</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>Number of centroids (≤ <see cref="MaxCentroids"/>; smaller when the survivors have fewer distinct values).</summary>
    public int CentroidCount => _centroids.Length;

    /// <summary>One code per weight element, in the weight's row-major order; 0 exactly for pruned weights.</summary>
    public ReadOnlySpan<ushort> Codes => _codes;

    /// <summary>Number of surviving (non-pruned) weights, i.e. of non-zero codes.</summary>
    public int SurvivingCount { get; }

    /// <summary>The k-means run that built the codebook (its centroids are the initial ones; see <see cref="Centroids"/> for the current values).</summary>
    public KMeansResult Clustering { get; }

    /// <summary>
    /// Compression from sharing alone (Han et al. 2016, eq. 1) over the surviving weights:
    /// <c>r = n·32 / (n·Bits + K·32)</c> with n survivors and K centroids (1 when nothing survives).
    /// </summary>
    public double SharingCompressionRatio =>
        SurvivingCount == 0 ? 1 : SurvivingCount * 32.0 / ((double)SurvivingCount * Bits + CentroidCount * 32.0);

    /// <summary>
    /// Clusters the surviving weights of <paramref name="layer"/> into at most <c>2^bits − 1</c> centroids.
    /// Does not modify the layer; call <see cref="Reconstruct"/> to write the shared weights.
    /// </summary>
    /// <param name="layer">The layer; survivors are the mask's ones, or the non-zero values when it has no mask.</param>
    /// <param name="bits">Code width, in [<see cref="MinBits"/>, <see cref="MaxBits"/>].</param>
    /// <param name="init">Centroid initialisation (the paper's best is <see cref="CentroidInit.Linear"/>).</param>
    /// <param name="seed">Seed of the random initialisation.</param>
    /// <param name="maxIterations">k-means iteration bound.</param>
    /// <param name="tolerance">k-means tolerance, relative to the survivors' range.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> out of range (the message names the layer).</exception>
    /// <exception cref="ArgumentException">A surviving weight is NaN or infinite.</exception>
    public static LayerCodebook Create(PrunableLayer layer, int bits, CentroidInit init = CentroidInit.Linear, int seed = 0,
        int maxIterations = 1000, double tolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (bits < MinBits || bits > MaxBits)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"Layer '{layer.Name}': bits must be in [{MinBits}, {MaxBits}].");
        var w = layer.Weight.Value.Span;
        var mask = layer.Weight.Mask;
        var survivors = new List<int>(w.Length);
        for (int i = 0; i < w.Length; i++)
        {
            bool kept = mask is null ? w[i] != 0 : mask.Data[i] != 0;
            if (kept) survivors.Add(i);
        }
        var values = new float[survivors.Count];
        for (int t = 0; t < values.Length; t++) values[t] = w[survivors[t]];
        KMeansResult result;
        try
        {
            result = KMeans1D.Fit(values, (1 << bits) - 1, init, seed, maxIterations, tolerance);
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"Layer '{layer.Name}': {e.Message}", nameof(layer), e);
        }
        var codes = new ushort[w.Length];
        for (int t = 0; t < values.Length; t++) codes[survivors[t]] = (ushort)(result.Assignments[t] + 1);
        return new LayerCodebook(layer, bits, codes, survivors.Count, result);
    }

    /// <summary>The value of <paramref name="code"/>: 0 for code 0, else <c>Centroids[code − 1]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is negative or above <see cref="CentroidCount"/>.</exception>
    public float Decode(int code)
    {
        if (code < 0 || code > _centroids.Length)
            throw new ArgumentOutOfRangeException(nameof(code), code, $"Layer '{Name}' has codes 0..{_centroids.Length}.");
        return code == 0 ? 0f : _centroids[code - 1];
    }

    /// <summary>Writes the shared weights <c>W_i = C[I_i]</c> (0 where <c>I_i = 0</c>) into the layer's weight, then re-applies its mask.</summary>
    /// <exception cref="InvalidOperationException">The weight no longer matches the codebook (see <see cref="Validate"/>).</exception>
    public void Reconstruct()
    {
        Validate();
        var w = Layer.Weight.Value.Span;
        for (int i = 0; i < w.Length; i++)
        {
            int code = _codes[i];
            w[i] = code == 0 ? 0f : _centroids[code - 1];
        }
        Layer.Weight.ApplyMask();
    }

    /// <summary>
    /// The gradient of the loss with respect to each centroid, from the weight gradient currently in
    /// <c>Layer.Weight.Grad</c>: <c>g_k = Σ_{i : I_i = k} ∂L/∂W_i</c> (Han et al. 2016, eq. 3). Pruned
    /// weights (code 0) contribute nothing. Sums are accumulated in double.
    /// </summary>
    /// <param name="destination">Receives <c>g_1..g_K</c>; length <see cref="CentroidCount"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The weight no longer matches the codebook.</exception>
    public void CentroidGradients(Span<float> destination)
    {
        if (destination.Length != _centroids.Length)
            throw new ArgumentException($"Layer '{Name}' has {_centroids.Length} centroids; the destination holds {destination.Length}.", nameof(destination));
        Validate();
        var g = Layer.Weight.Grad.Span;
        Span<double> sums = _centroids.Length <= 256 ? stackalloc double[_centroids.Length] : new double[_centroids.Length];
        sums.Clear();
        for (int i = 0; i < g.Length; i++)
        {
            int code = _codes[i];
            if (code != 0) sums[code - 1] += g[i];
        }
        for (int k = 0; k < sums.Length; k++) destination[k] = (float)sums[k];
    }

    /// <summary>Replaces the centroid values (codes are unchanged). Call <see cref="Reconstruct"/> to write them into the weight.</summary>
    /// <exception cref="ArgumentException">Wrong length, or a value is NaN or infinite.</exception>
    public void SetCentroids(ReadOnlySpan<float> values)
    {
        if (values.Length != _centroids.Length)
            throw new ArgumentException($"Layer '{Name}' has {_centroids.Length} centroids; got {values.Length} values.", nameof(values));
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]))
                throw new ArgumentException($"Layer '{Name}': centroid {k} would be {values[k]}.", nameof(values));
        }
        values.CopyTo(_centroids);
    }

    /// <summary>Checks that the weight still fits the codebook: same element count, and no weight pruned by the current mask has a non-zero code.</summary>
    /// <exception cref="InvalidOperationException">The weight was reshaped, or pruned further, after quantization (re-quantize the layer).</exception>
    public void Validate()
    {
        var weight = Layer.Weight;
        if (weight.Length != _codes.Length)
            throw new InvalidOperationException($"Layer '{Name}' has {weight.Length} weights but its codebook was built for {_codes.Length}; re-quantize it.");
        if (weight.Mask is { } mask)
        {
            var m = mask.Span;
            for (int i = 0; i < m.Length; i++)
            {
                if (m[i] == 0 && _codes[i] != 0)
                    throw new InvalidOperationException($"Layer '{Name}': weight {i} is pruned by the mask but has code {_codes[i]}; the mask changed after quantization; re-quantize the layer.");
            }
        }
    }
}
