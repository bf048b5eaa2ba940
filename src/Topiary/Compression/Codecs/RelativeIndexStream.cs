// RelativeIndexStream: the output of RelativeIndexCodec.Encode — parallel gap and code arrays, fillers included.
// Contract: immutable by convention (the arrays are exposed for speed; do not modify them). See RelativeIndexCodec.
namespace Topiary.Compression.Codecs;

/// <summary>Relative-index entries of one sparse layer: gaps and weight codes, fillers included.</summary>
public sealed class RelativeIndexStream
{
    internal RelativeIndexStream(int indexBits, int fillerCode, int[] gaps, int[] codes, int fillerCount)
    {
        IndexBits = indexBits;
        FillerCode = fillerCode;
        Gaps = gaps;
        Codes = codes;
        FillerCount = fillerCount;
    }

    /// <summary>Bits per gap, b; gaps are 0..2^b − 1 (the Huffman alphabet size is 2^b).</summary>
    public int IndexBits { get; }

    /// <summary>The reserved weight code that marks filler entries.</summary>
    public int FillerCode { get; }

    /// <summary>Per entry: zeros skipped since the previous entry (or since the start), 0..2^b − 1.</summary>
    public int[] Gaps { get; }

    /// <summary>Per entry: the weight code, or <see cref="FillerCode"/> for a filler.</summary>
    public int[] Codes { get; }

    /// <summary>Number of filler entries.</summary>
    public int FillerCount { get; }

    /// <summary>Number of entries, fillers included.</summary>
    public int Count => Gaps.Length;

    /// <summary>Number of real (non-filler) entries, i.e. non-zero weights.</summary>
    public int NonZeroCount => Gaps.Length - FillerCount;
}
