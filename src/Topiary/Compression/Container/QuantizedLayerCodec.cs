// QuantizedLayerCodec: payload of a QuantizedLayer section — one pruned, weight-shared layer in
// Deep Compression's format:
//   rank u8 | dims u32 × rank            weight shape; the layer is the matrix [dims[0], prod(rest)]
//   order u8                             0 = CSR (row-major walk), 1 = CSC (column-major walk)
//   weight_bits u8 | index_bits u8       code width b (1..16), relative-index width (1..24: the gap alphabet has 2^index_bits symbols)
//   K u16 | centroids f32 × K            code c ∈ 1..K ↦ centroids[c−1]; code 0 = zero (pruned or filler)
//   entries u32                          non-zeros + fillers
//   stream_bytes u32 | stream            MSB-first bits: Huffman table (codes, alphabet 2^b), Huffman table
//                                        (gaps, alphabet 2^index_bits), Huffman-coded codes, Huffman-coded gaps
// Gaps and fillers follow RelativeIndexCodec (gap = zeros skipped; fillers carry code 0). The decoder is
// given the shape the architecture expects and checks it before allocating anything. DecodeCodes keeps the codes
// (QuantizedLayerCodes: CSR structure + codes + codebook, for the inference plan); Decode expands them to floats.
using Topiary.Compression.Codecs;
using Topiary.Compression.Quantization;
using Topiary.Tensors;

namespace Topiary.Compression.Container;

/// <summary>What encoding one layer produced (for the storage account).</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Weights">Weight count.</param>
/// <param name="NonZeros">Surviving weights.</param>
/// <param name="Fillers">Filler entries inserted for long gaps.</param>
/// <param name="WeightBits">Code width b.</param>
/// <param name="IndexBits">Relative-index width.</param>
/// <param name="Centroids">Codebook entries K.</param>
/// <param name="HuffmanCodeBits">Huffman-coded size of the code stream.</param>
/// <param name="HuffmanIndexBits">Huffman-coded size of the gap stream.</param>
/// <param name="HuffmanTableBits">Size of both Huffman tables.</param>
/// <param name="PayloadBytes">Bytes of the section payload.</param>
public sealed record EncodedLayer(string Name, long Weights, long NonZeros, long Fillers, int WeightBits, int IndexBits, int Centroids,
    long HuffmanCodeBits, long HuffmanIndexBits, long HuffmanTableBits, long PayloadBytes);

/// <summary>Encodes and decodes QuantizedLayer payloads.</summary>
public static class QuantizedLayerCodec
{
    /// <summary>Encodes <paramref name="codebook"/> with relative indices of <paramref name="indexBits"/> bits.</summary>
    public static (byte[] Payload, EncodedLayer Info) Encode(string name, LayerCodebook codebook, int indexBits, SparseOrder order = SparseOrder.RowMajor)
    {
        ArgumentNullException.ThrowIfNull(codebook);
        var shape = codebook.Layer.Weight.Value.Shape.ToArray();
        var (rows, cols) = SparseLayout.MatrixShape(shape);
        var codes = codebook.Codes;
        var positions = new List<int>();
        var realCodes = new List<int>();
        for (int walk = 0; walk < codes.Length; walk++)
        {
            int storage = SparseLayout.WalkToStorage(walk, rows, cols, order);
            if (codes[storage] == 0) continue;
            positions.Add(walk);
            realCodes.Add(codes[storage]);
        }
        var stream = RelativeIndexCodec.Encode(positions.ToArray(), realCodes.ToArray(), indexBits, fillerCode: 0);
        var codeHuff = CanonicalHuffman.FromFrequencies(Histogram(stream.Codes, 1 << codebook.Bits));
        var gapHuff = CanonicalHuffman.FromFrequencies(Histogram(stream.Gaps, 1 << indexBits));
        var bits = new BitWriter();
        codeHuff.WriteTable(bits);
        gapHuff.WriteTable(bits);
        long tableBits = bits.BitLength;
        codeHuff.Encode(stream.Codes, bits);
        long codeBits = bits.BitLength - tableBits;
        gapHuff.Encode(stream.Gaps, bits);
        long gapBits = bits.BitLength - tableBits - codeBits;
        byte[] streamBytes = bits.ToArray();

        var w = new PayloadWriter().Shape(shape);
        w.U8(order == SparseOrder.RowMajor ? 0 : 1).U8(codebook.Bits).U8(indexBits)
            .U16(codebook.CentroidCount).Floats(codebook.Centroids)
            .U32(stream.Count).U32(streamBytes.Length).Bytes(streamBytes);
        byte[] payload = w.ToArray();
        return (payload, new EncodedLayer(name, codes.Length, stream.NonZeroCount, stream.FillerCount, codebook.Bits, indexBits,
            codebook.CentroidCount, codeBits, gapBits, tableBits, payload.Length));
    }

    /// <summary>
    /// The relative-index width in [<paramref name="minBits"/>, <paramref name="maxBits"/>] that gives the smallest
    /// Huffman-coded payload for this layer (narrow indices need more fillers; wide ones cost more per entry).
    /// </summary>
    public static int BestIndexBits(string name, LayerCodebook codebook, int minBits = 2, int maxBits = 12)
    {
        int best = maxBits;
        long bestBytes = long.MaxValue;
        for (int b = minBits; b <= maxBits; b++)
        {
            long bytes = Encode(name, codebook, b).Info.PayloadBytes;
            if (bytes < bestBytes) (best, bestBytes) = (b, bytes);
        }
        return best;
    }

    /// <summary>Decodes a payload into the dense weight tensor and its 0/1 mask (1 where a code is non-zero).</summary>
    /// <exception cref="InvalidDataException">Any inconsistency: shape differs from <paramref name="expectedShape"/>, widths out of
    /// range, more centroids than the width allows, counts beyond the stream, invalid Huffman data, codes above K, or bad gaps.</exception>
    public static (Tensor Weight, Tensor Mask) Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<int> expectedShape, string where) =>
        Expand(DecodeCodes(payload, expectedShape, where));

    /// <summary>The dense weight tensor of decoded codes and its 0/1 mask (1 where a weight is stored).</summary>
    public static (Tensor Weight, Tensor Mask) Expand(QuantizedLayerCodes codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var weight = new Tensor([.. codes.Shape]);
        var mask = new Tensor([.. codes.Shape]);
        for (int r = 0; r < codes.Rows; r++)
            for (int e = codes.RowPointers[r]; e < codes.RowPointers[r + 1]; e++)
            {
                int storage = r * codes.Cols + codes.Columns[e];
                weight.Data[storage] = codes.Centroids[codes.Codes[e] - 1];
                mask.Data[storage] = 1f;
            }
        return (weight, mask);
    }

    /// <summary>
    /// Decodes a payload into the layer's codes without densifying: the sparse structure of the matrix
    /// [dims[0], prod(rest)] row by row, one code per stored weight, and the codebook.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="Decode"/>.</exception>
    public static QuantizedLayerCodes DecodeCodes(ReadOnlySpan<byte> payload, ReadOnlySpan<int> expectedShape, string where)
    {
        var r = new PayloadReader(payload, where);
        var shape = DenseTensorCodec.ReadShape(ref r, expectedShape);
        int orderByte = r.U8("order");
        if (orderByte > 1) throw r.Error($"order {orderByte} is neither 0 (CSR) nor 1 (CSC)");
        var order = orderByte == 0 ? SparseOrder.RowMajor : SparseOrder.ColumnMajor;
        int bits = r.U8("weight bits");
        if (bits < LayerCodebook.MinBits || bits > LayerCodebook.MaxBits) throw r.Error($"weight bits {bits} outside [{LayerCodebook.MinBits}, {LayerCodebook.MaxBits}]");
        int indexBits = r.U8("index bits");
        if (indexBits < 1 || indexBits > RelativeIndexCodec.MaxIndexBits) throw r.Error($"index bits {indexBits} outside [1, {RelativeIndexCodec.MaxIndexBits}]");
        if (1L << indexBits > CanonicalHuffman.MaxSupportedAlphabetSize)
            throw r.Error($"index bits {indexBits}: the gap alphabet of 2^{indexBits} symbols exceeds the largest Huffman alphabet ({CanonicalHuffman.MaxSupportedAlphabetSize})");
        int k = r.U16("centroid count");
        if (k > (1 << bits) - 1) throw r.Error($"{k} centroids do not fit {bits}-bit codes (at most {(1 << bits) - 1})");
        float[] centroids = r.Floats(k, "centroids");
        int entries = r.Count("entry count", (long)Math.Max(0, r.Remaining - 4) * 8);
        int streamBytes = r.Count("stream length", r.Remaining);
        var streamData = r.Bytes(streamBytes, "stream").ToArray();
        r.End();

        long total = 1;
        foreach (int d in shape) total *= d;
        var (rows, cols) = SparseLayout.MatrixShape(shape);
        SparseEntries sparse;
        try
        {
            var reader = new BitReader(streamData);
            var codeHuff = CanonicalHuffman.ReadTable(reader, 1 << bits);
            var gapHuff = CanonicalHuffman.ReadTable(reader, 1 << indexBits);
            var codes = new int[entries];
            var gaps = new int[entries];
            codeHuff.Decode(reader, entries, codes);
            gapHuff.Decode(reader, entries, gaps);
            if (reader.RemainingBits >= 8) throw new InvalidDataException($"{reader.RemainingBits} unused bits after the coded streams");
            sparse = RelativeIndexCodec.Decode(gaps, codes, indexBits, fillerCode: 0, totalLength: (int)total);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
        for (int i = 0; i < sparse.Count; i++)
            if (sparse.Codes[i] > k) throw r.Error($"entry {i} has code {sparse.Codes[i]}; the codebook has {k} centroids");
        return QuantizedLayerCodes.FromWalk(shape, rows, cols, order, sparse.Positions, sparse.Codes, centroids, bits);
    }

    private static long[] Histogram(ReadOnlySpan<int> symbols, int alphabet)
    {
        var f = new long[alphabet];
        foreach (int s in symbols) f[s]++;
        return f;
    }
}
