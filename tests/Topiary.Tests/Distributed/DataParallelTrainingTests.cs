// Data-parallel training without MPI: ranks are threads (ThreadGroup). Properties:
//   - W ranks training on their shares end with the single-process weights (within float-summation order) — with
//     dropout (masks follow the global row), a last batch smaller than W (empty shares), 1..3 ranks;
//   - all ranks hold bit-identical weights after every step;
//   - the gradient sum is bucketed (a parameter may straddle buckets) and carries the loss;
//   - SoftmaxCrossEntropy's meanOver: the shares' gradients are the rows of the whole batch's, bit for bit;
//   - ranks with different masks all fail with the same verdict; only rank 0 writes files.
using System.Runtime.InteropServices;
using Topiary.Data;
using Topiary.Distributed;
using Topiary.IO;
using Topiary.Tests.IO;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Distributed;

public class DataParallelTrainingTests
{
    private static Sequential Model() => new Sequential()
        .Add("fc1", new Linear(4, 24, new Random(3)))
        .Add("relu", new ReLU())
        .Add("drop", new Dropout(0.3f, 17))
        .Add("fc2", new Linear(24, 3, new Random(4)));

    // Three epochs of SGD with momentum over 33 images in batches of 8 (the last batch has 1 image).
    private static float[] Train()
    {
        var model = Model();
        var recipe = new TrainingRecipe { LearningRate = 0.05f, Momentum = 0.9f, WeightDecay = 1e-3f, Policy = LrPolicy.Cosine, BatchSize = 8 };
        var loader = new DataLoader(BatchShardTests.Dataset(33), recipe.BatchSize, shuffle: true, seed: 9, flatten: true);
        var trainer = new Trainer(model, recipe.CreateOptimizer(model), recipe.CreateSchedule(loader.BatchesPerEpoch, 3));
        for (int e = 0; e < 3; e++) trainer.TrainEpoch(TrainingRun.Batches(loader, e), loader.BatchesPerEpoch, e + 1, 3);
        return model.Parameters().SelectMany(p => p.Value.Data).ToArray();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Ranks_end_with_the_single_process_weights_and_identical_to_each_other(int ranks)
    {
        float[] single = Train();
        var group = new ThreadGroup(ranks);
        float[][] perRank = group.Run(_ => Train());

        for (int r = 1; r < ranks; r++) Assert.Equal(perRank[0], perRank[r]); // bit-identical across ranks
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < single.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(single[i] - perRank[0][i]));
            maxAbs = Math.Max(maxAbs, Math.Abs(single[i]));
        }
        Assert.True(maxDiff <= 1e-5 * maxAbs, $"max |single − distributed| = {maxDiff:E3}, max |w| = {maxAbs:E3}");
        Assert.NotEqual(Model().Parameters().SelectMany(p => p.Value.Data).ToArray(), single); // it did train
    }

    [Fact]
    public void One_process_with_two_micro_batches_takes_the_steps_of_two_ranks_bit_for_bit()
    {
        float[] micro;
        using (DataParallel.UseMicroBatches(2)) micro = Train();
        float[][] ranks = new ThreadGroup(2).Run(_ => Train());
        Assert.Equal(ranks[0], micro);
        Assert.NotEqual(Train(), micro); // the plain run differs in the last bits (another summation order)
    }

    [Fact]
    public void Gradient_sum_straddles_buckets_and_carries_the_loss()
    {
        var group = new ThreadGroup(2);
        var results = group.Run(c =>
        {
            var ps = new[] { 5, 11, 3 }.Select(n => new Parameter(new Tensor(n))).ToArray();
            foreach (var p in ps)
                for (int i = 0; i < p.Length; i++) p.Grad.Data[i] = (c.Rank + 1) * (i + 1);
            ps[2].RequiresGrad = false; // frozen: not summed, left as it is
            float loss = new GradientAllReduce(bucketFloats: 7).Reduce(c, ps, c.Rank + 0.5f);
            return (Loss: loss, Grads: ps.Select(p => p.Grad.Data.ToArray()).ToArray());
        });
        Assert.Equal(3, group.Collectives); // ⌈(5 + 11 + 1) / 7⌉ allreduce calls
        foreach (var (loss, grads) in results)
        {
            Assert.Equal(2f, loss);
            Assert.Equal(Enumerable.Range(1, 5).Select(i => 3f * i), grads[0]);
            Assert.Equal(Enumerable.Range(1, 11).Select(i => 3f * i), grads[1]);
        }
        Assert.Equal([1f, 2f, 3f], results[0].Grads[2]);
        Assert.Equal([2f, 4f, 6f], results[1].Grads[2]);
    }

    [Fact]
    public void Shares_of_the_loss_gradient_are_the_rows_of_the_whole_batch_gradient()
    {
        var rng = new Random(2);
        var logits = Tensor.RandomUniform(rng, 3f, 10, 4);
        int[] labels = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1];
        var whole = new Tensor(10, 4);
        float total = SoftmaxCrossEntropy.Compute(logits, labels, whole);
        float parts = 0;
        foreach (var (offset, count) in new[] { (0, 3), (3, 7) })
        {
            var part = new Tensor(logits.Data.AsSpan(offset * 4, count * 4).ToArray(), count, 4);
            var grad = new Tensor(count, 4);
            parts += SoftmaxCrossEntropy.Compute(part, labels.AsSpan(offset, count), grad, meanOver: 10);
            Assert.Equal(whole.Data.AsSpan(offset * 4, count * 4).ToArray(), grad.Data);
        }
        Assert.Equal(total, parts, 1e-5f);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, labels, whole, meanOver: 9));
    }

    [Fact]
    public void Ranks_with_different_masks_all_fail_naming_the_moment()
    {
        var group = new ThreadGroup(2);
        var e = Assert.Throws<AggregateException>(() => group.Run(c =>
        {
            var model = Model();
            var fc1 = model.Parameters().First();
            var mask = new Tensor(fc1.Value.Shape.ToArray());
            mask.Data.AsSpan().Fill(1);
            if (c.Rank == 1) mask.Data[5] = 0;
            fc1.SetMask(mask);
            return ModelConsistency.Verify(c, model, "after pruning round 2");
        }));
        Assert.Equal(2, e.InnerExceptions.Count);
        Assert.All(e.InnerExceptions, x => Assert.Contains("after pruning round 2", Assert.IsType<InvalidOperationException>(x).Message));
        var same = new ThreadGroup(2).Run(c => ModelConsistency.Verify(c, Model(), "at the start"));
        Assert.Equal(same[0], same[1]);
    }

    [Fact]
    public void Only_rank_0_writes_and_every_rank_returns_when_the_file_is_complete()
    {
        using var dir = new TempDirectory();
        string path = dir.File("report.json");
        var seen = new ThreadGroup(2).Run(c =>
        {
            AtomicFile.WriteAllText(path, $"rank {c.Rank}");
            return File.ReadAllText(path);
        });
        Assert.Equal(["rank 0", "rank 0"], seen);
        Assert.Equal(["report.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Buffers_of_rank_0_reach_every_rank()
    {
        var values = new ThreadGroup(3).Run(c =>
        {
            var bn = new BatchNorm2d(2);
            var (_, running) = bn.NamedBuffers().First();
            running.Data.AsSpan().Fill(c.Rank + 1);
            ModelConsistency.BroadcastBuffers(c, bn);
            return running.Data.ToArray();
        });
        Assert.All(values, v => Assert.Equal([1f, 1f], v));
    }
}

public class SweepFanOutTests
{
    [Fact]
    public void Sensitivity_points_fan_out_over_ranks_and_every_rank_gets_the_single_process_curves()
    {
        static IReadOnlyList<Topiary.Pruning.SensitivityCurve> Sweep() => Topiary.Pruning.Sensitivity.Run(
            new Sequential().Add("flat", new Flatten()).Add("fc1", new Linear(4, 16, new Random(1))).Add("relu", new ReLU())
                .Add("fc2", new Linear(16, 3, new Random(2))),
            BatchShardTests.Dataset(40), [0, 0.3, 0.6, 0.9]);
        var single = Sweep();
        var ranks = new ThreadGroup(3).Run(_ => Sweep());
        foreach (var curves in ranks)
        {
            Assert.Equal(single.Select(c => c.Layer), curves.Select(c => c.Layer));
            for (int l = 0; l < single.Count; l++) Assert.Equal(single[l].Accuracy, curves[l].Accuracy);
        }
    }
}
