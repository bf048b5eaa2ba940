// LayerProfile: where a model's inference time goes, layer by layer (training = false). Each layer — a Graph's nodes
// (in order, each on the values the nodes before it wrote), a Sequential's children (nested Sequentials expanded,
// named "features.3.0"; each child's output feeds the next), else the model itself — is timed alone on the input it
// sees, repeated until its share of the budget is spent (median per call). Any other container (a Residual, a Graph
// node that is a Graph) counts as one layer. Repeating a layer is safe: at inference every layer is a pure function of
// its inputs and weights, writing its own output buffer or arena slot (never one of its inputs' slots). A Frozen
// convolution's description ends with the algorithm it chose ("[sparse]"). MACs are counted for Conv2d (also inside
// FusedConv2d, ChannelsLastConv2d and BandedSeparableBlock) and Linear (also PackedLinear) only.
using System.Diagnostics;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>The median time of one layer's inference call.</summary>
/// <param name="Name">The node or child name.</param>
/// <param name="Layer">The layer's description (<c>Module.ToString()</c>).</param>
/// <param name="MedianUs">Median microseconds per call.</param>
/// <param name="Macs">Multiply-accumulates of the call (0 for layers without weights).</param>
public sealed record LayerTime(string Name, string Layer, double MedianUs, long Macs)
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
        switch (model)
        {
            case Graph graph:
                MeasureNodes(graph, input, secondsPerLayer, rows);
                break;
            case Sequential seq:
                MeasureChain(seq, "", input, secondsPerLayer, rows);
                break;
            default:
                rows.Add(Time("model", model, () => model.Forward(input, false), input, secondsPerLayer));
                break;
        }
        return rows;
    }

    // A Graph's nodes in order, each timed on the values the nodes before it have just written: in an arena
    // (GraphArena) a slot holds one value at a time, so the values of an earlier whole forward are gone by its end.
    private static void MeasureNodes(Graph graph, Tensor input, double seconds, List<LayerTime> rows)
    {
        if (graph.Inputs.Count != 1) throw new ArgumentException($"{graph} takes {graph.Inputs.Count} inputs; the profile gives one.", nameof(graph));
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [graph.Inputs[0]] = input };
        foreach (var (name, value) in graph.Constants) values[name] = value;
        foreach (var node in graph.Nodes)
        {
            var args = node.Inputs.Select(t => values[t]).ToArray();
            IReadOnlyList<Tensor> outputs = [];
            Action call = node.Module is GraphOp op ? () => outputs = op.Forward(args, false) : () => outputs = [node.Module.Forward(args[0], false)];
            rows.Add(Time(node.Name, node.Module, call, args[0], seconds));
            for (int o = 0; o < node.Outputs.Count; o++) values[node.Outputs[o]] = outputs[o];
        }
    }

    // A Sequential's children in order, nested Sequentials expanded ("features.3.0"); returns the chain's output.
    private static Tensor MeasureChain(Sequential seq, string prefix, Tensor input, double seconds, List<LayerTime> rows)
    {
        var x = input;
        foreach (var (name, layer) in seq.NamedChildren())
        {
            var layerInput = x;
            if (layer is Sequential inner)
            {
                x = MeasureChain(inner, prefix + name + ".", layerInput, seconds, rows);
                continue;
            }
            rows.Add(Time(prefix + name, layer, () => layer.Forward(layerInput, false), layerInput, seconds));
            x = layer.Forward(layerInput, false);
        }
        return x;
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
