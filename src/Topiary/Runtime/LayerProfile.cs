// LayerProfile: where a model's inference time goes, layer by layer (training = false). Each layer — a Graph's nodes
// (in order, each on the values the nodes before it wrote), a Sequential's children (nested Sequentials expanded,
// named "features.3.0"; each child's output feeds the next), else the model itself — is timed alone on the input it
// sees, repeated until its share of the budget is spent (median per call). Any other container (a Residual, a Graph
// node that is a Graph) counts as one layer. Repeating a layer is safe: at inference every layer is a pure function of
// its inputs and weights, writing its own output buffer or arena slot (never one of its inputs' slots). A Frozen
// convolution's description ends with the algorithm it chose ("[sparse]"). MACs are counted for Conv2d (also inside
// FusedConv2d, ChannelsLastConv2d and BandedSeparableBlock) and Linear (also PackedLinear) only.
// Each layer is also timed inside the network (InNetworkUs): whole passes, every layer once per pass in order, each
// call timed, the median kept — so a layer meets its input where the layer before left it and its weights where the
// rest of the pass put them (a layer alone, repeated, runs on warm caches: SqueezeNet 1.1's squeeze layers took 2–2.8x
// their time alone inside the network).
using System.Diagnostics;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>The median time of one layer's inference call.</summary>
/// <param name="Name">The node or child name.</param>
/// <param name="Layer">The layer's description (<c>Module.ToString()</c>).</param>
/// <param name="MedianUs">Median microseconds per call.</param>
/// <param name="Macs">Multiply-accumulates of the call (0 for layers without weights).</param>
/// <param name="InNetworkUs">Median microseconds of the layer's call inside whole passes of the model.</param>
public sealed record LayerTime(string Name, string Layer, double MedianUs, long Macs, double InNetworkUs = 0)
{
    /// <summary>Achieved GFLOP/s (2 FLOP per multiply-accumulate); 0 for layers without MACs.</summary>
    public double GflopPerSecond => MedianUs <= 0 || Macs == 0 ? 0 : 2.0 * Macs / (MedianUs * 1e3);
}

/// <summary>Per-layer inference timing.</summary>
public static class LayerProfile
{
    /// <summary>
    /// Times every top-level layer of <paramref name="model"/> on <paramref name="input"/>, spending about
    /// <paramref name="secondsPerLayer"/> on each (at least three calls).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secondsPerLayer"/> is not positive.</exception>
    public static IReadOnlyList<LayerTime> Measure(Module model, Tensor input, double secondsPerLayer = 0.05)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(secondsPerLayer);
        var rows = new List<LayerTime>();
        Func<List<double>[]> passes;
        switch (model)
        {
            case Graph graph:
                MeasureNodes(graph, input, secondsPerLayer, rows);
                passes = () => GraphPass(graph, input);
                break;
            case Sequential seq:
                var leaves = Leaves(seq, "").ToList();
                MeasureChain(leaves, input, secondsPerLayer, rows);
                passes = () => ChainPass(leaves, input);
                break;
            default:
                rows.Add(Time("model", model, () => model.Forward(input, false), input, secondsPerLayer));
                passes = () => [[Timed(() => model.Forward(input, false))]];
                break;
        }
        var inNetwork = InNetwork(passes, rows.Count, secondsPerLayer * rows.Count);
        return rows.Select((r, i) => r with { InNetworkUs = inNetwork[i] }).ToList();
    }

    // Whole passes until at least three have run and the budget is spent (at most 1,000); each layer's median.
    private static double[] InNetwork(Func<List<double>[]> pass, int layers, double seconds)
    {
        var times = Enumerable.Range(0, layers).Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        for (int p = 0; p < 1000 && (p < 3 || total.Elapsed.TotalSeconds < seconds); p++)
        {
            var one = pass();
            for (int i = 0; i < layers; i++) times[i].AddRange(one[i]);
        }
        return times.Select(t => { t.Sort(); return t[t.Count / 2]; }).ToArray();
    }

    // One forward pass of a Graph node by node (as Graph.Forward runs them), each call timed.
    private static List<double>[] GraphPass(Graph graph, Tensor input)
    {
        var times = new List<double>[graph.Nodes.Count];
        Walk(graph, input, (n, node, args, call) =>
        {
            IReadOnlyList<Tensor> outputs = [];
            times[n] = [Timed(() => outputs = call())];
            return outputs;
        });
        return times;
    }

    // Node by node in order on the graph's one input: `each` runs node n (given its arguments and its call) and returns
    // what it wrote, which the nodes after it read.
    private static void Walk(Graph graph, Tensor input, Func<int, GraphNode, Tensor[], Func<IReadOnlyList<Tensor>>, IReadOnlyList<Tensor>> each)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [graph.Inputs[0]] = input };
        foreach (var (name, value) in graph.Constants) values[name] = value;
        for (int n = 0; n < graph.Nodes.Count; n++)
        {
            var node = graph.Nodes[n];
            var args = node.Inputs.Select(t => values[t]).ToArray();
            var outputs = each(n, node, args, () => node.Module is GraphOp op ? op.Forward(args, false) : [node.Module.Forward(args[0], false)]);
            for (int o = 0; o < node.Outputs.Count; o++) values[node.Outputs[o]] = outputs[o];
        }
    }

    // One forward pass of a chain's leaves, each call timed.
    private static List<double>[] ChainPass(IReadOnlyList<(string Name, Module Layer)> leaves, Tensor input)
    {
        var x = input;
        var times = new List<double>[leaves.Count];
        for (int i = 0; i < leaves.Count; i++)
        {
            var (layer, layerInput) = (leaves[i].Layer, x);
            times[i] = [Timed(() => x = layer.Forward(layerInput, false))];
        }
        return times;
    }

    private static double Timed(Action call)
    {
        long t0 = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }

    // A Graph's nodes in order, each timed on the values the nodes before it have just written: in an arena
    // (GraphArena) a slot holds one value at a time, so the values of an earlier whole forward are gone by its end.
    private static void MeasureNodes(Graph graph, Tensor input, double seconds, List<LayerTime> rows)
    {
        if (graph.Inputs.Count != 1) throw new ArgumentException($"{graph} takes {graph.Inputs.Count} inputs; the profile gives one.", nameof(graph));
        Walk(graph, input, (_, node, args, call) =>
        {
            IReadOnlyList<Tensor> outputs = [];
            rows.Add(Time(node.Name, node.Module, () => outputs = call(), args[0], seconds));
            return outputs;
        });
    }

    // A Sequential's leaves in order, nested Sequentials expanded ("features.3.0").
    private static IEnumerable<(string Name, Module Layer)> Leaves(Sequential seq, string prefix)
    {
        foreach (var (name, layer) in seq.NamedChildren())
        {
            if (layer is Sequential inner)
                foreach (var leaf in Leaves(inner, prefix + name + ".")) yield return leaf;
            else
                yield return (prefix + name, layer);
        }
    }

    // A chain's leaves in order, each timed alone on the output of the one before.
    private static void MeasureChain(IReadOnlyList<(string Name, Module Layer)> leaves, Tensor input, double seconds, List<LayerTime> rows)
    {
        var x = input;
        foreach (var (name, layer) in leaves)
        {
            var layerInput = x;
            rows.Add(Time(name, layer, () => layer.Forward(layerInput, false), layerInput, seconds));
            x = layer.Forward(layerInput, false);
        }
    }

    private static LayerTime Time(string name, Module layer, Action call, Tensor input, double seconds)
    {
        call();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || total.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        times.Sort();
        string algorithm = (layer as Conv2d ?? (layer as FusedConv2d)?.Conv)?.ChosenAlgorithms ?? "";
        return new LayerTime(name, (layer.ToString() ?? layer.GetType().Name) + (algorithm.Length > 0 ? $" [{algorithm}]" : ""),
            times[times.Count / 2], Macs(layer, input));
    }

    private static long Macs(Module layer, Tensor input)
    {
        switch (layer)
        {
            case FusedConv2d fused:
                return Macs(fused.Conv, input);
            case Conv2d conv when input.Rank == 4:
                return ConvMacs(conv, input.Dim(0), input.Dim(2), input.Dim(3));
            case BandedSeparableBlock block when input.Rank == 4:
                var (oh, ow) = block.Depthwise.Conv.OutputSize(input.Dim(1), input.Dim(2));
                return (block.Expand is null ? 0 : ConvMacs(block.Expand.Conv, input.Dim(0), input.Dim(1), input.Dim(2)))
                    + ConvMacs(block.Depthwise.Conv, input.Dim(0), input.Dim(1), input.Dim(2)) + ConvMacs(block.Project.Conv, input.Dim(0), oh, ow);
            case ChannelsLastConv2d last when input.Rank == 4:
                return last.ReadsChannelsFirst
                    ? ConvMacs(last.Conv, input.Dim(0), input.Dim(2), input.Dim(3))
                    : ConvMacs(last.Conv, input.Dim(0), input.Dim(1), input.Dim(2));
            case PackedLinear packed:
                return Macs(packed.Linear, input);
            case Linear linear:
                return (long)(input.Length / linear.InFeatures) * linear.InFeatures * linear.OutFeatures;
            default:
                return 0;
        }
    }

    private static long ConvMacs(Conv2d conv, int n, int h, int w)
    {
        var (oh, ow) = conv.OutputSize(h, w);
        return (long)n * conv.OutChannels * oh * ow * conv.Weight.Value.Dim(1) * conv.KernelSize.H * conv.KernelSize.W;
    }
}
