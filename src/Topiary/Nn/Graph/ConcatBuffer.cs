// ConcatBuffer: the output of a channel concatenation that its producers write in place (InferenceGraph: the convolutions
// feeding a Cat along the channel axis). A producer's channels [offset, offset + OC) of one sample are one contiguous
// run of the buffer, so each convolution writes its slices directly and the concatenation copies nothing; a producer
// that cannot (a depthwise convolution) copies its output in, sample by sample (what Cat did).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A concatenation's output [N, C, H, W], shared by the nodes that fill it and the node that returns it.</summary>
public sealed class ConcatBuffer
{
    // The storage, shared with the buffers of concatenations that are never live at the same time: one array, as long as
    // the largest of them has needed, each buffer a view of its first elements (two sharers of different shapes used to
    // reallocate it on every call: SqueezeNet 1.0's fire4 and fire5 outputs, 60 MB a pass at batch 16).
    private sealed class Storage { public float[]? Data; }

    private readonly Storage _storage;
    private Tensor? _view;

    /// <summary>Creates the buffer for <paramref name="channels"/> concatenated channels, with storage of its own or
    /// <paramref name="sharing"/>'s (a concatenation whose value is dead before this one's first part is written).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is below 1.</exception>
    public ConcatBuffer(int channels, ConcatBuffer? sharing = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        _storage = sharing?._storage ?? new Storage();
    }

    /// <summary>Total channels of the concatenation.</summary>
    public int Channels { get; }

    /// <summary>The buffer as last shaped by <see cref="Ensure"/> (null before the first call).</summary>
    public Tensor? Tensor => _view;

    /// <summary>
    /// The buffer for <paramref name="n"/> samples of <paramref name="h"/> × <paramref name="w"/>: a view of the shared
    /// storage, which is reallocated only when it is too short.
    /// </summary>
    public Tensor Ensure(int n, int h, int w)
    {
        if (_view is { } view && view.Data == _storage.Data && view.Dim(0) == n && view.Dim(2) == h && view.Dim(3) == w) return view;
        long count = (long)n * Channels * h * w;
        if (_storage.Data is null || _storage.Data.Length < count)
        {
            if (count > Array.MaxLength) throw new ArgumentException($"A concatenation of {n} x {Channels} x {h} x {w} values is too large.");
            _storage.Data = new float[count];
        }
        return _view = Tensor.View(_storage.Data, n, Channels, h, w);
    }

    /// <summary>
    /// Copies <paramref name="part"/> [N, c, H, W] into channels [<paramref name="offset"/>, offset + c) of the buffer
    /// (shaped for it first).
    /// </summary>
    /// <exception cref="ArgumentException">The part is not rank 4 or does not fit the channels.</exception>
    public Tensor CopyIn(Tensor part, int offset)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Rank != 4 || offset < 0 || offset + part.Dim(1) > Channels)
            throw new ArgumentException($"A part {Tensor.ShapeString(part.Shape)} at channel {offset} does not fit a concatenation of {Channels} channels.", nameof(part));
        int n = part.Dim(0), c = part.Dim(1), plane = part.Dim(2) * part.Dim(3);
        var all = Ensure(n, part.Dim(2), part.Dim(3));
        for (int i = 0; i < n; i++)
            part.Data.AsSpan(i * c * plane, c * plane).CopyTo(all.Data.AsSpan((i * Channels + offset) * plane));
        return all;
    }
}
