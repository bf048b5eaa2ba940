// DistributedSampler arithmetic: the shares of ranks 0..W−1 partition every global batch, in order, sizes within one;
// DataLoader.Shards gives each rank exactly its share of the single-process batches (images and labels).
using Topiary.Data;
using Topiary.Distributed;

namespace Topiary.Tests.Distributed;

public class BatchShardTests
{
    [Fact]
    public void Shares_partition_the_batch_in_rank_order_and_differ_by_at_most_one()
    {
        for (int world = 1; world <= 7; world++)
        {
            for (int batch = 0; batch <= 70; batch++)
            {
                int next = 0;
                var counts = new List<int>();
                for (int rank = 0; rank < world; rank++)
                {
                    var s = BatchShard.Of(batch, rank, world);
                    Assert.Equal(next, s.Offset);
                    next += s.Count;
                    counts.Add(s.Count);
                }
                Assert.Equal(batch, next);
                Assert.InRange(counts.Max() - counts.Min(), 0, 1);
            }
        }
    }

    [Fact]
    public void Global_batch_64_on_2_ranks_is_two_halves()
    {
        Assert.Equal(new BatchShard(0, 32), BatchShard.Of(64, 0, 2));
        Assert.Equal(new BatchShard(32, 32), BatchShard.Of(64, 1, 2));
        Assert.Equal(new BatchShard(0, 0), BatchShard.Of(1, 0, 2)); // a batch smaller than the job leaves a rank empty
        Assert.Equal(new BatchShard(0, 1), BatchShard.Of(1, 1, 2));
    }

    [Theory]
    [InlineData(-1, 0, 1)]
    [InlineData(8, 0, 0)]
    [InlineData(8, 2, 2)]
    [InlineData(8, -1, 2)]
    public void Invalid_arguments_are_refused(int batch, int rank, int world) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchShard.Of(batch, rank, world));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Loader_shards_concatenated_over_ranks_are_the_single_process_batches(int world)
    {
        var data = Dataset(37);
        var single = new DataLoader(data, 8, shuffle: true, seed: 5, flatten: true);
        var expected = single.Epoch(3).Select(b => (Images: b.Images.Data.ToArray(), Labels: b.Labels.ToArray())).ToList();
        var perRank = Enumerable.Range(0, world).Select(r =>
            new DataLoader(data, 8, shuffle: true, seed: 5, flatten: true).Shards(3, r, world)
                .Select(s => (Images: s.Images.Data.ToArray(), Labels: s.Labels.ToArray(), s.GlobalOffset, s.GlobalCount)).ToList()).ToList();
        Assert.All(perRank, shares => Assert.Equal(expected.Count, shares.Count));
        for (int b = 0; b < expected.Count; b++)
        {
            Assert.Equal(expected[b].Labels, perRank.SelectMany(shares => shares[b].Labels));
            Assert.Equal(expected[b].Images, perRank.SelectMany(shares => shares[b].Images));
            Assert.All(perRank, shares => Assert.Equal(expected[b].Labels.Length, shares[b].GlobalCount));
            Assert.Equal(Enumerable.Range(0, world).Select(r => BatchShard.Of(expected[b].Labels.Length, r, world).Offset),
                perRank.Select(shares => shares[b].GlobalOffset));
        }
    }

    internal static ImageDataset Dataset(int count)
    {
        var images = Enumerable.Range(0, count * 4).Select(i => (float)i).ToArray();
        var labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        return new ImageDataset("synthetic", images, labels, 1, 2, 2, 3);
    }
}
