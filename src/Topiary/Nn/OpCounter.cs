// OpCounter: multiply-accumulate counts of the Linear and Conv2d layers of a model for one input
// shape, found by running an inference forward pass of one example through the model's Dataflow (any
// Sequential/Residual/Concat/Graph nesting).
// Counts are per example; training costs about 3x the forward MACs (forward, input and weight grads).
//   Linear  in·out        Conv2d  OC·(C/G)·KH·KW·OH·OW (the weight [OC, C/G, KH, KW] once per output position;
//                                 G groups, any stride, dilation and padding)
namespace Topiary.Nn;

/// <summary>MACs of one weight layer for one example.</summary>
/// <param name="Name">Dotted module name (e.g. <c>conv2</c>).</param>
/// <param name="Kind">Layer type (<c>Linear</c> or <c>Conv2d</c>).</param>
/// <param name="Macs">Multiply-accumulates for one example (dense).</param>
/// <param name="Weights">Weight elements (without bias).</param>
/// <param name="InputShape">Input shape of the layer for one example (batch axis 1).</param>
/// <param name="OutputShape">Output shape of the layer for one example (batch axis 1).</param>
public sealed record LayerOps(string Name, string Kind, long Macs, long Weights, int[] InputShape, int[] OutputShape);

/// <summary>Counts multiply-accumulates per weight layer.</summary>
public static class OpCounter
{
    /// <summary>Per-layer MACs of <paramref name="model"/> for one example of shape <paramref name="exampleShape"/> (no batch axis).</summary>
    public static IReadOnlyList<LayerOps> Count(Module model, ReadOnlySpan<int> exampleShape) => Count(model, [exampleShape.ToArray()]);

    /// <summary>Per-layer MACs of a model with several inputs, one example shape (no batch axis) per input.</summary>
    public static IReadOnlyList<LayerOps> Count(Module model, IReadOnlyList<int[]> exampleShapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var flow = Dataflow.Trace(model, exampleShapes);
        var layers = new List<LayerOps>();
        foreach (var step in flow.Steps)
        {
            if (step.Module is not (Linear or Conv2d)) continue;
            var input = flow.Tensors[step.Inputs[0]].Shape;
            var output = flow.Tensors[step.Outputs[0]].Shape;
            var w = step.Module is Linear lin ? lin.Weight : ((Conv2d)step.Module).Weight;
            long outputs = 1;
            foreach (int d in output) outputs *= d;
            long macs = step.Module is Linear l ? (long)l.InFeatures * l.OutFeatures : outputs * w.Length / w.Value.Dim(0);
            layers.Add(new LayerOps(step.Name, step.Module.GetType().Name, macs, w.Length, input, output));
        }
        return layers;
    }

    /// <summary>Total forward MACs per example.</summary>
    public static long TotalMacs(Module model, ReadOnlySpan<int> exampleShape) => Count(model, exampleShape).Sum(l => l.Macs);

    /// <summary>Total forward MACs per example of a model with several inputs.</summary>
    public static long TotalMacs(Module model, IReadOnlyList<int[]> exampleShapes) => Count(model, exampleShapes).Sum(l => l.Macs);
}
