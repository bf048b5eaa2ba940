// StorageAccount: Deep Compression's per-layer, per-stage storage table, from the bits the encoder
// actually produced. Stages (cumulative):
//   dense       n × 32
//   pruning     (non-zeros + fillers) × (32 + index bits)                  CSR, relative indices, float values
//   quantization(non-zeros + fillers) × (weight bits + index bits) + K × 32 shared weights + codebook
//   huffman     Huffman(codes) + Huffman(gaps) + tables + K × 32           what the container stores
// Parameters that are not weight-shared (biases, buffers) cost 32 bits each in every stage. The final
// line is the container's real file size, which is what "compression" is computed from.
using Topiary.Compression.Container;

namespace Topiary.Compression;

/// <summary>Bits of one layer at every stage.</summary>
public sealed record LayerStorage(string Name, long Weights, long NonZeros, long Fillers, int WeightBits, int IndexBits, int Centroids,
    long DenseBits, long PrunedBits, long QuantizedBits, long HuffmanBits)
{
    /// <summary>Dense bits / Huffman-stage bits.</summary>
    public double Compression => HuffmanBits == 0 ? double.PositiveInfinity : (double)DenseBits / HuffmanBits;
}

/// <summary>Total size and compression of one stage.</summary>
/// <param name="Name">dense, pruning, quantization, huffman, container.</param>
/// <param name="Bytes">Size in bytes.</param>
/// <param name="Compression">Dense bytes / this stage's bytes.</param>
public sealed record StageStorage(string Name, double Bytes, double Compression);

/// <summary>The storage table of a compressed model.</summary>
public sealed record StorageAccount(IReadOnlyList<LayerStorage> Layers, long OtherParameters, IReadOnlyList<StageStorage> Stages)
{
    /// <summary>Builds the account from what the encoder produced and the container's real size.</summary>
    public static StorageAccount From(EncodedModel encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var layers = encoded.Layers.Select(l =>
        {
            long entries = l.NonZeros + l.Fillers;
            long codebook = 32L * l.Centroids;
            return new LayerStorage(l.Name, l.Weights, l.NonZeros, l.Fillers, l.WeightBits, l.IndexBits, l.Centroids,
                DenseBits: 32 * l.Weights,
                PrunedBits: entries * (32 + l.IndexBits),
                QuantizedBits: entries * (l.WeightBits + l.IndexBits) + codebook,
                HuffmanBits: l.HuffmanCodeBits + l.HuffmanIndexBits + l.HuffmanTableBits + codebook);
        }).ToArray();
        long other = 32 * encoded.DenseParameters;
        double dense = (layers.Sum(l => l.DenseBits) + other) / 8.0;
        StageStorage Stage(string name, double bits) => new(name, bits / 8.0, dense / (bits / 8.0));
        return new StorageAccount(layers, encoded.DenseParameters,
        [
            Stage("dense", layers.Sum(l => l.DenseBits) + other),
            Stage("pruning", layers.Sum(l => l.PrunedBits) + other),
            Stage("quantization", layers.Sum(l => l.QuantizedBits) + other),
            Stage("huffman", layers.Sum(l => l.HuffmanBits) + other),
            Stage("container", encoded.Bytes.Length * 8.0),
        ]);
    }
}
