// SparseLinear (a pruned Linear in InferenceGraph's frozen copies): equals the Linear it was made from (+ ReLU) at
// batch 1 and 3, in one row block and in several (blocks in parallel, written back per example), its formats timed warm
// or from memory; the copy keeps the
// source's values when the source changes later; refuses training and wrong shapes; InferenceGraph.Fuse makes one
// for a pruned Linear (fusing its ReLU) and leaves dense ones alone.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class SparseLinearTests
{
    [Theory]
    [InlineData(37, 21, 0.3, 1)]
    [InlineData(37, 21, 0.3, 3)]
    [InlineData(1500, 400, 0.5, 1)]   // 300k non-zeros: two row blocks
    [InlineData(1500, 400, 0.5, 3)]
    [InlineData(20, 5, 0.0, 2)]       // every weight pruned: y = act(b)
    public void Equals_the_source_layer(int inF, int outF, double density, int batch)
    {
        var linear = new Linear(inF, outF, new Random(inF));
        var rng = new Random(outF);
        var w = linear.Weight.Value.Data;
        for (int i = 0; i < w.Length; i++) if (rng.NextDouble() >= density) w[i] = 0f;
        var x = Randn(batch, batch, inF);
        foreach (bool relu in new[] { false, true })
        {
            var expected = linear.Forward(x, training: false).Data.Select(v => relu ? Math.Max(v, 0f) : v).ToArray();
            foreach (bool fromMemory in new[] { false, true })
            {
                var sparse = new SparseLinear(linear, relu, batch, measureSeconds: 0.005, weightsFromMemory: fromMemory);
                Assert.Equal(w.Count(v => v != 0) > SparseLinear.RowBlockNonZeros, sparse.Formats.Count > 1);
                GroupedConvTests.AssertClose(expected, sparse.Forward(x, training: false).Data.ToArray(), $"{sparse} at batch {batch}, timed from memory: {fromMemory}");
            }
        }
    }

    [Fact]
    public void Is_a_snapshot_and_refuses_training_and_wrong_shapes()
    {
        var linear = new Linear(8, 4, new Random(1));
        linear.Weight.Value.Data[0] = 0f;
        var x = Randn(2, 1, 8);
        var before = linear.Forward(x, training: false).Data.ToArray();
        var sparse = new SparseLinear(linear, false, 1, measureSeconds: 0.005);
        linear.Weight.Value.Data.AsSpan().Fill(0f);
        GroupedConvTests.AssertClose(before, sparse.Forward(x, training: false).Data.ToArray(), "after the source changed");
        Assert.Throws<NotSupportedException>(() => sparse.Forward(x, training: true));
        Assert.Throws<NotSupportedException>(() => sparse.Backward(x));
        Assert.Throws<ArgumentException>(() => sparse.Forward(Randn(3, 1, 9), training: false));
    }

    [Fact]
    public void A_network_is_timed_from_memory_when_its_weights_exceed_the_last_level_cache()
    {
        var model = new Sequential(new Linear(100, 10, new Random(1)));
        var w = ((Linear)model[0]).Weight.Value.Data;
        // dense: 1,000 weights and 10 biases at 4 bytes
        Assert.True(InferenceGraph.WeightsExceedCache(model, 4039));
        Assert.False(InferenceGraph.WeightsExceedCache(model, 4040));
        // pruned to 100 non-zeros: 6 bytes each (a value and a 16-bit index); the biases stay dense
        for (int i = 0; i < w.Length; i++) if (i % 10 != 0) w[i] = 0f;
        Assert.True(InferenceGraph.WeightsExceedCache(model, 639));
        Assert.False(InferenceGraph.WeightsExceedCache(model, 640));
        Assert.False(InferenceGraph.WeightsExceedCache(model, 0)); // the cache size unknown: timed warm, as before
    }

    [Fact]
    public void Fuse_makes_pruned_linear_layers_sparse_with_their_relu()
    {
        var rng = new Random(2);
        var model = new Sequential(new Flatten(), new Linear(48, 32, rng), new ReLU(), new Linear(32, 10, rng));
        var pruned = (Linear)((Sequential)model)[1];
        var w = pruned.Weight.Value.Data;
        for (int i = 0; i < w.Length; i++) if (i % 5 != 0) w[i] = 0f;
        var x = Randn(3, 2, 3, 4, 4);
        var expected = model.Forward(x, training: false).Data.ToArray();
        var fused = InferenceGraph.Fuse(model, [3, 4, 4], batch: 2);
        var layers = ((Sequential)fused.Model).NamedChildren().Select(c => c.Module).ToArray();
        Assert.Collection(layers,
            l => Assert.IsType<Flatten>(l),
            l => Assert.True(l is SparseLinear { Relu: true }),
            l => Assert.IsType<PackedLinear>(l)); // dense: packed for batch-1 products
        GroupedConvTests.AssertClose(expected, fused.Model.Forward(x, training: false).Data.ToArray(), "fused copy");
    }
}
