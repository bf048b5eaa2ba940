// ShapeBuilder: walks a network definition layer by layer, tracking the current feature-map size
// (channels × height × width) so each weight layer gets its real input size. Pools only change the size;
// a concatenation of branches is written as Branch(...) calls from one saved state, then Concat().
namespace Topiary.Models.Shapes;

/// <summary>Feature-map state while building a shape: channels and spatial size.</summary>
internal readonly record struct FeatureMap(int Channels, int Height, int Width);

/// <summary>Accumulates weight layers while tracking feature-map sizes.</summary>
internal sealed class ShapeBuilder
{
    private readonly List<LayerShape> _layers = [];
    private readonly int[] _input;

    internal ShapeBuilder(int channels, int size)
    {
        Current = new FeatureMap(channels, size, size);
        _input = [channels, size, size];
    }

    /// <summary>The feature map the next layer sees.</summary>
    internal FeatureMap Current { get; set; }

    /// <summary>Adds a square convolution on the current map and moves to its output.</summary>
    internal ShapeBuilder Conv(string name, int filters, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true)
    {
        var layer = LayerShape.ConvRectangular(name, Current.Channels, filters, kernel, kernel, Current.Height, Current.Width,
            stride, padding, groups, bias);
        _layers.Add(layer);
        Current = new FeatureMap(filters, layer.E, layer.F);
        return this;
    }

    /// <summary>Max or average pooling: size ⌊/⌈(n + 2p − k)/s⌉ + 1 (Caffe rounds up, PyTorch down unless ceil_mode).</summary>
    internal ShapeBuilder Pool(int kernel, int stride, int padding = 0, bool ceil = false)
    {
        Current = new FeatureMap(Current.Channels, PoolSize(Current.Height, kernel, stride, padding, ceil),
            PoolSize(Current.Width, kernel, stride, padding, ceil));
        return this;
    }

    /// <summary>Global average pooling to 1×1.</summary>
    internal ShapeBuilder GlobalPool()
    {
        Current = new FeatureMap(Current.Channels, 1, 1);
        return this;
    }

    /// <summary>Flattens the current map and adds a fully-connected layer.</summary>
    internal ShapeBuilder Fc(string name, int outFeatures)
    {
        int inFeatures = checked(Current.Channels * Current.Height * Current.Width);
        _layers.Add(LayerShape.FullyConnected(name, inFeatures, outFeatures));
        Current = new FeatureMap(outFeatures, 1, 1);
        return this;
    }

    /// <summary>Runs <paramref name="branches"/> from the current map and concatenates their outputs (same spatial size).</summary>
    internal ShapeBuilder Concat(params Action<ShapeBuilder>[] branches)
    {
        var start = Current;
        int channels = 0;
        FeatureMap? size = null;
        foreach (var branch in branches)
        {
            Current = start;
            branch(this);
            if (size is { } s && (s.Height != Current.Height || s.Width != Current.Width))
                throw new InvalidOperationException($"Concat branches disagree on size: {s} vs {Current}.");
            size = Current;
            channels += Current.Channels;
        }
        Current = new FeatureMap(channels, size!.Value.Height, size.Value.Width);
        return this;
    }

    internal NetworkShape Build(string name) => new(name, _input, _layers);

    private static int PoolSize(int n, int kernel, int stride, int padding, bool ceil)
    {
        int span = n + 2 * padding - kernel;
        return (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    }
}
