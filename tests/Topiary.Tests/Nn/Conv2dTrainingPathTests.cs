// Conv2d's GEMM training path: sample blocks and chunks never change the gradients with the thread count, and a first
// layer that skips its input gradient (InputGradientUnused, set by the Trainer) gets the same weight and bias
// gradients bit for bit.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Nn;

public class Conv2dTrainingPathTests
{
    private static (float[] Dw, float[] Db, float[] Dx) Gradients(Conv2d conv, Tensor x, int seed, bool skipInput)
    {
        var y = conv.Forward(x, training: true);
        var dy = Tensor.RandomNormal(new Random(seed), 1f, y.Shape.ToArray());
        conv.ZeroGrad();
        conv.InputGradientUnused = skipInput;
        try
        {
            var dx = conv.Backward(dy);
            return (conv.Weight.Grad.Data.ToArray(), conv.Bias!.Grad.Data.ToArray(), dx.Data.ToArray());
        }
        finally
        {
            conv.InputGradientUnused = false;
        }
    }

    [Theory]
    [InlineData(1, 20, 5, 1, 0, 28, 13)]  // LeNet conv1: one sample per block, 13 samples in uneven chunks
    [InlineData(20, 50, 5, 1, 0, 12, 64)] // LeNet conv2: several samples per block
    [InlineData(16, 16, 3, 1, 1, 9, 7)]
    [InlineData(6, 8, 3, 2, 1, 11, 10)]
    public void Skipping_the_input_gradient_keeps_the_weight_gradients_and_returns_zeros(int c, int oc, int k, int stride, int pad, int size, int n)
    {
        var conv = new Conv2d(c, oc, k, new Random(1), stride: stride, padding: pad);
        var x = Tensor.RandomNormal(new Random(2), 1f, n, c, size, size);
        var full = Gradients(conv, x, 3, skipInput: false);
        var skipped = Gradients(conv, x, 3, skipInput: true);
        Assert.Equal(full.Dw, skipped.Dw);
        Assert.Equal(full.Db, skipped.Db);
        Assert.All(skipped.Dx, v => Assert.Equal(0f, v));
        Assert.Contains(full.Dx, v => v != 0f);
    }

    [Theory]
    [InlineData(20, 50, 5, 1, 0, 12, 64)]
    [InlineData(16, 16, 3, 1, 1, 9, 7)]
    public void Gradients_do_not_depend_on_the_thread_count(int c, int oc, int k, int stride, int pad, int size, int n)
    {
        var conv = new Conv2d(c, oc, k, new Random(1), stride: stride, padding: pad);
        var x = Tensor.RandomNormal(new Random(2), 1f, n, c, size, size);
        (float[] Dw, float[] Db, float[] Dx) one, two;
        using (Threading.Limit(1)) one = Gradients(conv, x, 3, skipInput: false);
        using (Threading.Limit(2)) two = Gradients(conv, x, 3, skipInput: false);
        Assert.Equal(one.Dw, two.Dw);
        Assert.Equal(one.Db, two.Db);
        Assert.Equal(one.Dx, two.Dx);
    }

    [Fact]
    public void The_trainer_clears_the_first_layer_flag_after_each_step()
    {
        var net = ModelZoo.Create("lenet-5", 1);
        var conv1 = (Conv2d)((Sequential)net)[0];
        var trainer = new Trainer(net, LeNet5.Recipe.CreateOptimizer(net), new ConstantLr(0.01f));
        var rng = new Random(4);
        trainer.Step(new Batch(Tensor.RandomUniform(rng, 1f, 8, 1, 28, 28), [1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.False(conv1.InputGradientUnused);
        Assert.Contains(conv1.Weight.Grad.Data, v => v != 0f);
    }
}
