// BatchShard: DistributedSampler arithmetic. The global order of an epoch is the single-process order; every global
// batch [start, start + B) is split into contiguous shares, rank r taking [start + ⌊B·r/W⌋, start + ⌊B·(r+1)/W⌋), so
// the shares of ranks 0..W−1, concatenated, are the global batch in order. Shares differ by at most one image; a global
// batch smaller than W leaves some ranks an empty share (they still take part in the gradient sum).
namespace Topiary.Distributed;

/// <summary>One rank's share of a global batch: <see cref="Count"/> images from position <see cref="Offset"/> of the batch.</summary>
public readonly record struct BatchShard(int Offset, int Count)
{
    /// <summary>The share of rank <paramref name="rank"/> of <paramref name="worldSize"/> in a batch of <paramref name="batchSize"/> images.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative batch size, a world size below 1, or a rank outside [0, worldSize).</exception>
    public static BatchShard Of(int batchSize, int rank, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if ((uint)rank >= (uint)worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [0, {worldSize}).");
        int lo = (int)((long)batchSize * rank / worldSize);
        int hi = (int)((long)batchSize * (rank + 1) / worldSize);
        return new BatchShard(lo, hi - lo);
    }
}
