// DataLoader: mini-batches over an ImageDataset.
// Order: with shuffling, epoch e visits the images in Permutation(e), a Fisher-Yates shuffle driven by
// SplitMix64 seeded from (seed, e) -- the same (seed, epoch) gives the same order on every machine and
// .NET version; every index appears exactly once per epoch. Without shuffling the order is 0..N-1.
// Batches: images [B, C, H, W] (or [B, C*H*W] when Flatten), labels int[B]. The last batch is smaller
// unless DropLast. The tensors and label arrays are REUSED between batches (one set for full batches,
// one for the final partial batch): consume or copy a batch before asking for the next one.
// Shards (data-parallel training, DistributedSampler semantics): rank r of W visits the same global order and batches
// and takes its contiguous share of each (BatchShard), copying only those images.
using Topiary.Distributed;
using Topiary.Tensors;

namespace Topiary.Data;

/// <summary>Deterministically shuffled mini-batches over an <see cref="ImageDataset"/>.</summary>
public sealed class DataLoader
{
    private Tensor _full;
    private int[] _fullLabels;
    private Tensor? _tail;
    private int[]? _tailLabels;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images and labels.</param>
    /// <param name="batchSize">Images per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Visit the images in a new seeded permutation each epoch.</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="dropLast">Skip the final partial batch.</param>
    /// <param name="flatten">Yield images as <c>[B, C*H*W]</c> instead of <c>[B, C, H, W]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public DataLoader(ImageDataset dataset, int batchSize, bool shuffle = true, int seed = 0, bool dropLast = false, bool flatten = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Flatten = flatten;
        int fullSize = Math.Min(batchSize, Math.Max(dataset.Count, 1));
        _full = NewImages(fullSize);
        _fullLabels = new int[fullSize];
    }

    /// <summary>The dataset.</summary>
    public ImageDataset Dataset { get; }

    /// <summary>Images per (full) batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch uses a seeded permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the permutations.</summary>
    public int Seed { get; }

    /// <summary>Whether the final partial batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether images are yielded flat (<c>[B, C*H*W]</c>).</summary>
    public bool Flatten { get; }

    /// <summary>Number of images in the dataset.</summary>
    public int Count => Dataset.Count;

    /// <summary>Batches per epoch: <c>floor(Count/BatchSize)</c> with <see cref="DropLast"/>, else <c>ceil(Count/BatchSize)</c>.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>Images visited per epoch (all, or only the full batches with <see cref="DropLast"/>).</summary>
    public int SamplesPerEpoch => DropLast ? Count / BatchSize * BatchSize : Count;

    /// <summary>
    /// The visiting order of epoch <paramref name="epoch"/>: a permutation of <c>0..Count-1</c> determined by
    /// (<see cref="Seed"/>, <paramref name="epoch"/>), or the identity when not shuffling.
    /// </summary>
    public int[] Permutation(int epoch)
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (!Shuffle) return order;
        var rng = new SplitMix64(((ulong)(uint)Seed << 32) ^ (uint)epoch ^ 0x5DEECE66DUL);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)rng.NextBelow((uint)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>: images <c>[B, C, H, W]</c> (or flat) and labels <c>int[B]</c>.
    /// The yielded tensor and array are reused by the next batch.
    /// </summary>
    public IEnumerable<(Tensor Images, int[] Labels)> Epoch(int epoch)
    {
        foreach (var s in Shards(epoch, 0, 1)) yield return (s.Images, s.Labels);
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s shares of the batches of epoch <paramref name="epoch"/> in a job of
    /// <paramref name="worldSize"/> ranks: every global batch of <see cref="Epoch"/>, cut by <see cref="BatchShard.Of"/>
    /// (possibly empty). The yielded tensor and array are reused by the next share.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A world size below 1 or a rank outside [0, worldSize).</exception>
    public IEnumerable<(Tensor Images, int[] Labels, int GlobalOffset, int GlobalCount)> Shards(int epoch, int rank, int worldSize)
    {
        BatchShard.Of(0, rank, worldSize); // validates rank and size now, not at the first MoveNext
        return ShardsCore(epoch, rank, worldSize);
    }

    private IEnumerable<(Tensor Images, int[] Labels, int GlobalOffset, int GlobalCount)> ShardsCore(int epoch, int rank, int worldSize)
    {
        int[] order = Permutation(epoch);
        int imageSize = Dataset.ImageSize;
        float[] source = Dataset.Images;
        int[] labels = Dataset.Labels;
        int batches = BatchesPerEpoch;
        int fullShare = BatchShard.Of(Math.Min(BatchSize, Math.Max(Count, 1)), rank, worldSize).Count;
        if (_fullLabels.Length != fullShare)
        {
            _full = NewImages(fullShare);
            _fullLabels = new int[fullShare];
        }
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize;
            int global = Math.Min(BatchSize, Count - start);
            var share = BatchShard.Of(global, rank, worldSize);
            int size = share.Count;
            Tensor images;
            int[] batchLabels;
            if (size == _fullLabels.Length)
            {
                images = _full;
                batchLabels = _fullLabels;
            }
            else
            {
                if (_tailLabels is null || _tailLabels.Length != size)
                {
                    _tail = NewImages(size);
                    _tailLabels = new int[size];
                }
                images = _tail!;
                batchLabels = _tailLabels;
            }
            Span<float> destination = images.Span;
            for (int i = 0; i < size; i++)
            {
                int index = order[start + share.Offset + i];
                source.AsSpan(index * imageSize, imageSize).CopyTo(destination.Slice(i * imageSize, imageSize));
                batchLabels[i] = labels[index];
            }
            yield return (images, batchLabels, share.Offset, global);
        }
    }

    private Tensor NewImages(int batch) =>
        Flatten ? new Tensor(batch, Dataset.ImageSize) : new Tensor(batch, Dataset.Channels, Dataset.Height, Dataset.Width);
}
