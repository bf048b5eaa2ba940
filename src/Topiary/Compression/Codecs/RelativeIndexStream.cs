// RelativeIndexStream: the output of RelativeIndexCodec.Encode — parallel gap and code arrays, fillers included.
// Contract: immutable by convention (the arrays are exposed for speed; do not modify them). Built by RelativeIndexCodec,
// which checks what it puts in; the constructor itself takes the arrays as they are.
namespace Topiary.Compression.Codecs;

/// <summary>Relative-index entries of one sparse layer: gaps and weight codes, fillers included.</summary>
/// <param name="indexBits">Bits per gap.</param>
/// <param name="fillerCode">The code of filler entries.</param>
/// <param name="gaps">Zeros skipped before each entry (taken, not copied).</param>
/// <param name="codes">Each entry's weight code (taken, not copied).</param>
/// <param name="fillerCount">How many entries are fillers.</param>
/// <remarks>Creating a stream with a null array throws <see cref="ArgumentNullException"/>.</remarks>
public sealed class RelativeIndexStream(int indexBits, int fillerCode, int[] gaps, int[] codes, int fillerCount)
{
    /// <summary>Bits per gap, b; gaps are 0..2^b − 1 (the Huffman alphabet size is 2^b).</summary>
    public int IndexBits { get; } = indexBits;

    /// <summary>The reserved weight code that marks filler entries.</summary>
    public int FillerCode { get; } = fillerCode;

    /// <summary>Per entry: zeros skipped since the previous entry (or since the start), 0..2^b − 1.</summary>
    public int[] Gaps { get; } = Guard.NotNull(gaps);

    /// <summary>Per entry: the weight code, or <see cref="FillerCode"/> for a filler.</summary>
    public int[] Codes { get; } = Guard.NotNull(codes);

    /// <summary>Number of filler entries.</summary>
    public int FillerCount { get; } = fillerCount;

    /// <summary>Number of entries, fillers included.</summary>
    public int Count => Gaps.Length;

    /// <summary>Number of real (non-filler) entries, i.e. non-zero weights.</summary>
    public int NonZeroCount => Gaps.Length - FillerCount;
}
