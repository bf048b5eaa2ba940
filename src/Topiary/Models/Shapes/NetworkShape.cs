// NetworkShape: a network as its weight layers in execution order, with the input shape and totals.
// Pools, activations, concatenations and residual adds carry no weights and only change the sizes the
// layers see, so they are resolved when the shape is built (ShapeZoo) or traced (FromModel).
using Topiary.Nn;

namespace Topiary.Models.Shapes;

/// <summary>Shape-only network: weight layers in order (per example).</summary>
public sealed class NetworkShape
{
    /// <summary>Creates a network shape.</summary>
    /// <param name="name">Network name.</param>
    /// <param name="inputShape">One input example, [C, H, W] or [features].</param>
    /// <param name="layers">Weight layers in execution order; non-empty, unique names.</param>
    /// <exception cref="ArgumentException">Empty name, empty input shape, no layers, or a repeated layer name.</exception>
    public NetworkShape(string name, IReadOnlyList<int> inputShape, IReadOnlyList<LayerShape> layers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        if (inputShape.Count == 0) throw new ArgumentException("The input shape is empty.", nameof(inputShape));
        if (layers.Count == 0) throw new ArgumentException($"Network '{name}' has no weight layers.", nameof(layers));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            ArgumentNullException.ThrowIfNull(l, nameof(layers));
            if (!seen.Add(l.Name)) throw new ArgumentException($"Network '{name}': layer name '{l.Name}' appears twice.", nameof(layers));
        }
        Name = name;
        InputShape = inputShape.ToArray();
        Layers = layers.ToArray();
    }

    /// <summary>Network name.</summary>
    public string Name { get; }

    /// <summary>Shape of one input example.</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Weight layers in execution order.</summary>
    public IReadOnlyList<LayerShape> Layers { get; }

    /// <summary>Σ weights (without biases).</summary>
    public long TotalWeights => Layers.Sum(l => l.Weights);

    /// <summary>Σ weights + biases of the weight layers (batch-norm parameters are not counted).</summary>
    public long TotalParameters => Layers.Sum(l => l.Parameters);

    /// <summary>Σ MACs per example.</summary>
    public long TotalMacs => Layers.Sum(l => l.Macs);

    /// <summary>The layer named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such layer; the message lists the layer names.</exception>
    public LayerShape this[string name] => Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"Network '{Name}' has no layer '{name}' (layers: {string.Join(", ", Layers.Select(l => l.Name))}).");

    /// <summary>
    /// Traces the Linear and Conv2d layers of a Topiary model for one example of shape <paramref name="inputShape"/>
    /// (no batch axis) by an inference forward pass (as <see cref="OpCounter"/> does); layer names are the dotted
    /// module names. Conv2d layers must have equal strides on both axes, equal padding on every side and no dilation;
    /// groups carry over (<see cref="LayerShape.Groups"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The model has no weight layer, or a convolution with unequal strides/pads or with dilation.</exception>
    public static NetworkShape FromModel(Module model, IReadOnlyList<int> inputShape, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        var ops = OpCounter.Count(model, inputShape.ToArray());
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module, StringComparer.Ordinal);
        var layers = new List<LayerShape>(ops.Count);
        foreach (var op in ops)
        {
            var module = modules[op.Name];
            switch (module)
            {
                case Linear lin:
                    layers.Add(LayerShape.FullyConnected(op.Name, lin.InFeatures, lin.OutFeatures, lin.Bias is not null));
                    break;
                case Conv2d conv:
                    var (t, l, b, r) = conv.Pads;
                    if (conv.Stride.H != conv.Stride.W || !(t == l && l == b && b == r))
                        throw new ArgumentException(
                            $"Layer '{op.Name}' ({conv}): stride {conv.Stride} / pads (top {t}, left {l}, bottom {b}, right {r}) differ between axes or sides; shapes need them equal.",
                            nameof(model));
                    if (conv.Dilation != (1, 1))
                        throw new ArgumentException(
                            $"Layer '{op.Name}' ({conv}): dilation {conv.Dilation.H}x{conv.Dilation.W} is not supported by layer shapes (dilation 1 only).",
                            nameof(model));
                    layers.Add(LayerShape.ConvRectangular(op.Name, conv.InChannels, conv.OutChannels, conv.KernelSize.H,
                        conv.KernelSize.W, op.InputShape[2], op.InputShape[3], conv.Stride.H, t, conv.Groups, conv.Bias is not null));
                    break;
            }
        }
        if (layers.Count == 0) throw new ArgumentException("The model has no Linear or Conv2d layer.", nameof(model));
        return new NetworkShape(name, inputShape, layers);
    }
}
