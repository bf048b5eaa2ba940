// Module: the unit of a network. Forward(input, training) computes the output and keeps what
// Backward needs; Backward(gradOutput) ACCUMULATES parameter gradients (+=, like PyTorch) and
// returns the gradient with respect to the input of the latest Forward call.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Base class of all layers and containers.</summary>
public abstract class Module
{
    /// <summary>Computes the output for <paramref name="input"/>. <paramref name="training"/> enables dropout and batch statistics.</summary>
    public abstract Tensor Forward(Tensor input, bool training);

    /// <summary>
    /// Back-propagates <paramref name="gradOutput"/> (shape of the last output): adds parameter gradients
    /// into <see cref="Parameter.Grad"/> and returns the gradient with respect to the last input.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called before a training-mode Forward.</exception>
    public abstract Tensor Backward(Tensor gradOutput);

    /// <summary>Parameters owned directly by this module, with local names (e.g. <c>weight</c>, <c>bias</c>).</summary>
    protected virtual IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => [];

    /// <summary>Non-trainable state owned directly by this module (e.g. BatchNorm running statistics).</summary>
    protected virtual IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() => [];

    /// <summary>Direct sub-modules with their local names.</summary>
    public virtual IEnumerable<(string Name, Module Module)> NamedChildren() => [];

    /// <summary>All parameters in this module tree, with dotted PyTorch-style names (<c>fc1.weight</c>).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in LocalParameters()) yield return (Join(prefix, name), p);
        foreach (var (name, child) in NamedChildren())
            foreach (var item in child.NamedParameters(Join(prefix, name))) yield return item;
    }

    /// <summary>All buffers in this module tree, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in LocalBuffers()) yield return (Join(prefix, name), b);
        foreach (var (name, child) in NamedChildren())
            foreach (var item in child.NamedBuffers(Join(prefix, name))) yield return item;
    }

    /// <summary>All modules in this tree (pre-order, this module first) with dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in NamedChildren())
            foreach (var item in child.NamedModules(Join(prefix, name))) yield return item;
    }

    /// <summary>All parameters in this module tree.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Length);

    /// <summary>Zeroes every parameter gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
