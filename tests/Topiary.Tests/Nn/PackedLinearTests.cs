// PackedLinear: the batch-1 product over the interleaved weights gives the Linear's bits (groups of four rows, the last
// rows and each row's tail of k mod 16 products as the Linear's GEMV does them), on one and two threads, with and
// without a bias; other batches and short rows go to the Linear itself; training is refused. InferenceGraph.Fuse packs
// dense Linear layers and leaves pruned ones sparse.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class PackedLinearTests
{
    [Theory]
    [InlineData(16, 4, true)]
    [InlineData(17, 7, true)]
    [InlineData(1280, 1000, true)]   // large: split between threads
    [InlineData(300, 10, false)]
    [InlineData(5, 3, true)]         // rows shorter than a vector: the Linear's own path
    public void Batch_one_gives_the_linear_bits(int inputs, int outputs, bool bias)
    {
        var linear = new Linear(inputs, outputs, new Random(inputs + outputs), bias);
        var packed = new PackedLinear(linear);
        foreach (int threads in new[] { 1, 2 })
        {
            var x = Randn(threads, 1, inputs);
            using (Threading.Limit(threads))
            {
                float[] expected = linear.Forward(x, false).Data.ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(packed.Forward(x, false).Data), $"{inputs}→{outputs}, {threads} thread(s)");
            }
        }
        var batch = Randn(9, 3, inputs);
        Assert.True(linear.Forward(batch, false).Data.ToArray().AsSpan().SequenceEqual(packed.Forward(batch, false).Data));
        Assert.Throws<NotSupportedException>(() => packed.Forward(Randn(1, 1, inputs), true));
        Assert.Throws<ArgumentException>("input", () => packed.Forward(new Tensor(1, inputs + 1), false));
    }

    [Fact]
    public void Fuse_packs_dense_linear_layers_and_keeps_pruned_ones_sparse()
    {
        var pruned = new Linear(20, 8, new Random(1));
        for (int i = 0; i < pruned.Weight.Length; i += 2) pruned.Weight.Value[i] = 0f;
        var model = new Sequential(new Linear(12, 20, new Random(2)), new ReLU(), pruned);
        var fused = InferenceGraph.Fuse(model, [12]);
        var top = Assert.IsType<Sequential>(fused.Model);
        Assert.IsType<PackedLinear>(top[0]);
        Assert.IsType<SparseLinear>(top[2]);
        var x = Randn(3, 1, 12);
        GroupedConvTests.AssertClose(model.Forward(x, false).Data.ToArray(), fused.Model.Forward(x, false).Data, "packed");
    }
}
