// GraphNode: one layer of a Graph — its name (the module's name in parameter paths: "layer1.0.conv1" gives
// "layer1.0.conv1.weight"), the module, the tensors it reads (in order) and the tensors it writes (one per output).
namespace Topiary.Nn;

/// <summary>A layer of a <see cref="Graph"/> and the named tensors it reads and writes.</summary>
/// <param name="Name">Unique node name; the prefix of the module's parameter names. Non-empty.</param>
/// <param name="Module">The layer. A <see cref="GraphOp"/> may read and write several tensors; any other module reads one and writes one.</param>
/// <param name="Inputs">Names of the tensors read, in order (graph inputs, constants or other nodes' outputs).</param>
/// <param name="Outputs">Names of the tensors written, one per output of the module.</param>
public sealed record GraphNode(string Name, Module Module, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    /// <summary>A single-input, single-output node.</summary>
    public GraphNode(string name, Module module, string input, string output) : this(name, module, [input], [output])
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Module} ({string.Join(", ", Inputs)} → {string.Join(", ", Outputs)})";
}
