// ModuleChain: a Sequential model read as one flat chain of modules. Nested Sequentials are walked
// child by child (so "features.0", "features.1", "classifier.0" come out in execution order, named
// like Module.NamedModules); every other module — leaf layers and opaque containers such as Residual
// or Concat — is one element of the chain. Structural passes (dead-neuron removal, the dropout rule)
// look at the weight layers of this chain and at the modules between consecutive ones.
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>Flattens nested <see cref="Sequential"/> containers into the execution-ordered chain of their leaves.</summary>
internal static class ModuleChain
{
    /// <summary>The modules of <paramref name="model"/> in execution order, with dotted names; Sequentials are expanded, nothing else is.</summary>
    public static List<(string Name, Module Module)> Walk(Sequential model)
    {
        var chain = new List<(string Name, Module Module)>();
        Walk(model, "", chain);
        return chain;
    }

    private static void Walk(Sequential seq, string prefix, List<(string Name, Module Module)> chain)
    {
        foreach (var (name, child) in seq.NamedChildren())
        {
            string full = prefix.Length == 0 ? name : prefix + "." + name;
            if (child is Sequential inner) Walk(inner, full, chain);
            else chain.Add((full, child));
        }
    }
}
