// LayerProfile: one row per layer in execution order — a chain's nested Sequentials expanded with dotted names, a
// Residual kept whole — with each convolution's and linear layer's MACs counted from the input it saw, and each layer also
// timed inside whole passes (every layer once per pass, in order).
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Runtime;

public class LayerProfileTests
{
    [Fact]
    public void A_nested_chain_is_listed_layer_by_layer_with_its_MACs()
    {
        var block = new Sequential().Add("conv", new Conv2d(4, 6, 3, new Random(2), padding: 1)).Add("act", new ReLU());
        var model = new Sequential()
            .Add("stem", new Conv2d(2, 4, 3, new Random(1), stride: 2))
            .Add("block", block)
            .Add("res", new Residual(new Sequential(new Conv2d(6, 6, 1, new Random(3)))))
            .Add("pool", new GlobalAvgPool2d())
            .Add("flat", new Flatten())
            .Add("fc", new Linear(6, 3, new Random(4)));
        var x = Tensor.RandomUniform(new Random(5), 1f, [3, 2, 11, 9]);
        var rows = LayerProfile.Measure(model, x, 0.001);
        Assert.Equal(["stem", "block.conv", "block.act", "res", "pool", "flat", "fc"], rows.Select(r => r.Name));
        // stem: 11×9 → 5×4 at stride 2; block.conv keeps 5×4.
        Assert.Equal(3L * 4 * 5 * 4 * 2 * 9, rows[0].Macs);
        Assert.Equal(3L * 6 * 5 * 4 * 4 * 9, rows[1].Macs);
        Assert.Equal(0L, rows[3].Macs); // a Residual counts as one layer without its own weights
        Assert.Equal(3L * 6 * 3, rows[6].Macs);
        Assert.All(rows, r => Assert.True(r.MedianUs >= 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerProfile.Measure(model, x, 0));
    }

    // Inside whole passes every layer runs once per pass, in order, on what the layer before it wrote: the calls are fc
    // repeated (timed alone), act repeated, then fc, act, fc, act, … for at least three passes, act always on fc's output.
    [Fact]
    public void In_network_times_come_from_whole_passes_in_order()
    {
        var log = new List<(string Name, float[] Input)>();
        var fc = new Linear(5, 4, new Random(1));
        var model = new Sequential().Add("fc", new Logged("fc", fc, log)).Add("act", new Logged("act", new ReLU(), log));
        var x = Tensor.RandomUniform(new Random(2), 1f, [2, 5]);
        var fcOutput = fc.Forward(x, false).Data.ToArray();
        var rows = LayerProfile.Measure(model, x, 0.002);
        Assert.All(rows, r => Assert.True(r.InNetworkUs >= 0, $"{r.Name}: {r.InNetworkUs} µs inside the passes")); // a ReLU of 8 values may take less than a clock tick
        var names = log.Select(l => l.Name).ToList();
        int firstAct = names.IndexOf("act"), passesStart = names.IndexOf("fc", firstAct);
        Assert.True(firstAct > 0 && passesStart > firstAct, string.Join(",", names));
        var passes = log.Skip(passesStart).ToList();
        Assert.True(passes.Count >= 6 && passes.Count % 2 == 0, $"{passes.Count} calls in the passes");
        for (int i = 0; i < passes.Count; i += 2)
        {
            Assert.Equal(("fc", "act"), (passes[i].Name, passes[i + 1].Name));
            Assert.Equal(fcOutput, passes[i + 1].Input);
        }
    }

    private sealed class Logged(string name, Module inner, List<(string Name, float[] Input)> log) : Module
    {
        public override Tensor Forward(Tensor input, bool training)
        {
            log.Add((name, input.Data.AsSpan(0, input.Length).ToArray()));
            return inner.Forward(input, training);
        }

        public override Tensor Backward(Tensor gradOutput) => inner.Backward(gradOutput);
    }
}
