// GraphBuilder: writes a Graph in code, node by node, each node's one output tensor named after the node (so parameter
// names read as torchvision's or Caffe's: "layer1.0.conv1.weight"). For the paper networks built at ImageNet size.
using Topiary.Nn;

namespace Topiary.Models.Paper;

/// <summary>Builds a <see cref="Graph"/> with one input, node by node.</summary>
internal sealed class GraphBuilder(Random rng)
{
    private readonly List<GraphNode> _nodes = [];

    /// <summary>The graph's input tensor.</summary>
    public const string Input = "input";

    /// <summary>Adds <paramref name="module"/> reading <paramref name="inputs"/>; returns its output (named <paramref name="name"/>).</summary>
    public string Add(string name, Module module, params string[] inputs)
    {
        _nodes.Add(new GraphNode(name, module, inputs, [name]));
        return name;
    }

    /// <summary>A square convolution (bias unless <paramref name="bias"/> is false), then a ReLU named <paramref name="relu"/> when given.</summary>
    public string Conv(string name, string x, int cin, int cout, int kernel, int stride = 1, int padding = 0, bool bias = true, string? relu = null)
    {
        string y = Add(name, new Conv2d(cin, cout, kernel, rng, stride: stride, padding: padding, bias: bias), x);
        return relu is null ? y : Add(relu, new ReLU(), y);
    }

    /// <summary>Convolution without bias, BatchNorm named <paramref name="bn"/>, then a ReLU named <paramref name="relu"/> when given.</summary>
    public string ConvBn(string name, string bn, string x, int cin, int cout, int kernel, int stride = 1, int padding = 0, string? relu = null)
    {
        string y = Add(bn, new BatchNorm2d(cout), Conv(name, x, cin, cout, kernel, stride, padding, bias: false));
        return relu is null ? y : Add(relu, new ReLU(), y);
    }

    /// <summary>The graph, its output the tensor <paramref name="output"/>.</summary>
    public Graph Build(string output) => new([Input], _nodes, [output]);
}
