// DataLoader: seeded, deterministic permutations (same seed+epoch -> same order; new epoch -> new
// order; every index once per epoch), batch shapes, drop-last and buffer reuse.
using Topiary.Data;

namespace Topiary.Tests.Data;

public class DataLoaderTests
{
    /// <summary>n images of 1x2x2 whose pixels all equal the image index; label = index mod 10.</summary>
    private static ImageDataset Indexed(int n)
    {
        var pixels = new float[n * 4];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = i / 4;
        return new ImageDataset("indexed", pixels, Enumerable.Range(0, n).Select(i => i % 10).ToArray(), 1, 2, 2, 10);
    }

    [Fact]
    public void SameSeedAndEpoch_SameOrder()
    {
        var a = new DataLoader(Indexed(1000), 32, seed: 42);
        var b = new DataLoader(Indexed(1000), 32, seed: 42);
        Assert.Equal(a.Permutation(3), b.Permutation(3));
        Assert.Equal(a.Permutation(0), a.Permutation(0));
    }

    [Fact]
    public void DifferentEpochOrSeed_DifferentOrder()
    {
        var a = new DataLoader(Indexed(1000), 32, seed: 42);
        Assert.NotEqual(a.Permutation(0), a.Permutation(1));
        Assert.NotEqual(a.Permutation(0), new DataLoader(Indexed(1000), 32, seed: 43).Permutation(0));
        Assert.NotEqual(Enumerable.Range(0, 1000).ToArray(), a.Permutation(0));
    }

    [Fact]
    public void PermutationIsStableAcrossRuns()
    {
        // Pinned values: the order must not change with the .NET version or the machine.
        var p = new DataLoader(Indexed(10), 4, seed: 1).Permutation(0);
        Assert.Equal(new[] { 9, 2, 3, 5, 4, 7, 1, 0, 8, 6 }, p);
    }

    [Theory]
    [InlineData(0, 4, false)]
    [InlineData(1, 4, false)]
    [InlineData(10, 3, false)]
    [InlineData(10, 3, true)]
    [InlineData(12, 4, true)]
    [InlineData(7, 100, false)]
    public void EveryIndexExactlyOncePerEpoch(int n, int batch, bool dropLast)
    {
        var loader = new DataLoader(Indexed(n), batch, seed: 7, dropLast: dropLast);
        var perm = loader.Permutation(5);
        Assert.Equal(Enumerable.Range(0, n), perm.Order());

        var seen = new List<int>();
        int batches = 0;
        foreach (var (images, labels) in loader.Epoch(5))
        {
            batches++;
            int b = labels.Length;
            Assert.Equal(new[] { b, 1, 2, 2 }, images.Shape.ToArray());
            for (int i = 0; i < b; i++)
            {
                int index = (int)images.Data[i * 4];
                Assert.Equal(index % 10, labels[i]);
                seen.Add(index);
            }
        }
        Assert.Equal(loader.BatchesPerEpoch, batches);
        Assert.Equal(loader.SamplesPerEpoch, seen.Count);
        Assert.Equal(perm.Take(loader.SamplesPerEpoch), seen);
        if (!dropLast) Assert.Equal(Enumerable.Range(0, n), seen.Order());
    }

    [Fact]
    public void BatchCounts()
    {
        Assert.Equal(4, new DataLoader(Indexed(10), 3).BatchesPerEpoch);
        Assert.Equal(3, new DataLoader(Indexed(10), 3, dropLast: true).BatchesPerEpoch);
        Assert.Equal(9, new DataLoader(Indexed(10), 3, dropLast: true).SamplesPerEpoch);
        Assert.Equal(10, new DataLoader(Indexed(10), 3).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Indexed(10), 0));
    }

    [Fact]
    public void NoShuffle_IsSequential_AndFlattenWorks()
    {
        var loader = new DataLoader(Indexed(5), 2, shuffle: false, flatten: true);
        Assert.Equal(Enumerable.Range(0, 5).ToArray(), loader.Permutation(9));
        var firsts = new List<float>();
        foreach (var (images, labels) in loader.Epoch(0))
        {
            Assert.Equal(2, images.Rank);
            Assert.Equal(4, images.Dim(1));
            firsts.Add(images.Data[0]);
        }
        Assert.Equal(new[] { 0f, 2f, 4f }, firsts);
    }

    [Fact]
    public void Buffers_AreReusedForFullBatches()
    {
        var loader = new DataLoader(Indexed(10), 4);
        var tensors = loader.Epoch(0).Select(b => b.Images).ToList();
        Assert.Same(tensors[0], tensors[1]);
        Assert.NotSame(tensors[0], tensors[2]); // the partial last batch has its own buffer
        Assert.Equal(2, tensors[2].Dim(0));
    }
}
