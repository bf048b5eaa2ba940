// LayerInput: the tensor entering one named module of a model for a batch, found by running the model's
// Sequential containers child by child in inference mode (nested Sequentials are entered; the name is the
// dotted module path as in Module.NamedModules). Other containers (Residual, Concat) are run whole, so a
// layer inside one cannot be reached.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Pruning.EnergyAware;

/// <summary>Captures the input of a named layer.</summary>
public static class LayerInput
{
    /// <summary>A copy of the tensor that module <paramref name="layerName"/> receives when <paramref name="model"/> runs on <paramref name="input"/> (inference mode).</summary>
    /// <exception cref="ArgumentException">No module of that name is reachable through Sequential containers.</exception>
    public static Tensor Capture(Module model, string layerName, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layerName);
        ArgumentNullException.ThrowIfNull(input);
        Tensor? found = null;
        Walk(model, "", input, layerName, ref found);
        return found ?? throw new ArgumentException(
            $"No layer '{layerName}' reachable through Sequential containers (modules: {string.Join(", ", model.NamedModules().Select(m => m.Name).Where(n => n.Length > 0))}).",
            nameof(layerName));
    }

    // Returns the module's output, or null once the layer has been found (stop).
    private static Tensor? Walk(Module m, string name, Tensor x, string target, ref Tensor? found)
    {
        if (name == target)
        {
            found = x.Clone();
            return null;
        }
        if (m is Sequential s)
        {
            foreach (var (child, module) in s.NamedChildren())
            {
                var y = Walk(module, name.Length == 0 ? child : name + "." + child, x, target, ref found);
                if (y is null) return null;
                x = y;
            }
            return x;
        }
        return m.Forward(x, training: false);
    }
}
