// OpCounter: multiply-accumulate counts of the Linear and Conv2d layers of a model for one input
// shape, found by running an inference forward pass of one example through the module tree.
// Counts are per example; training costs about 3x the forward MACs (forward, input and weight grads).
//   Linear  in·out        Conv2d  OC·(C/G)·KH·KW·OH·OW (the weight [OC, C/G, KH, KW] once per output position;
//                                 G groups, any stride, dilation and padding)
using Topiary.Tensors;

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
    public static IReadOnlyList<LayerOps> Count(Module model, ReadOnlySpan<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shape = new int[exampleShape.Length + 1];
        shape[0] = 1;
        exampleShape.CopyTo(shape.AsSpan(1));
        var layers = new List<LayerOps>();
        Walk(model, "", new Tensor(shape), layers);
        return layers;
    }

    /// <summary>Total forward MACs per example.</summary>
    public static long TotalMacs(Module model, ReadOnlySpan<int> exampleShape) => Count(model, exampleShape).Sum(l => l.Macs);

    private static Tensor Walk(Module m, string name, Tensor x, List<LayerOps> layers)
    {
        switch (m)
        {
            case Sequential s:
                foreach (var (child, module) in s.NamedChildren()) x = Walk(module, Join(name, child), x, layers);
                return x;
            case Residual r:
            {
                Walk(r.Body, Join(name, "body"), x, layers);
                if (r.Shortcut is not null) Walk(r.Shortcut, Join(name, "shortcut"), x, layers);
                return m.Forward(x, training: false).Clone();
            }
            case Concat c:
            {
                int i = 0;
                foreach (var branch in c.Branches) Walk(branch, Join(name, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), x, layers);
                return m.Forward(x, training: false).Clone();
            }
        }
        var output = m.Forward(x, training: false).Clone();
        long macs = m switch
        {
            Linear l => (long)l.InFeatures * l.OutFeatures,
            Conv2d conv => (long)output.Length * conv.Weight.Length / conv.Weight.Value.Dim(0),
            _ => -1,
        };
        if (macs >= 0)
        {
            var w = m is Linear lin ? lin.Weight : ((Conv2d)m).Weight;
            layers.Add(new LayerOps(name, m.GetType().Name, macs, w.Length, x.Shape.ToArray(), output.Shape.ToArray()));
        }
        return output;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
