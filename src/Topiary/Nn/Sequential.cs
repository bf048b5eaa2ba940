// Sequential: an ordered chain of named children (PyTorch nn.Sequential).
//   Forward:  y = m_k(...m_2(m_1(x)))       Backward: gradients flow through the children in reverse order.
// Children created from the params constructor are named "0", "1", ...; Add(name, module) appends with
// an explicit name. Parameter names are dotted ("0.weight", "fc1.bias"). A module instance may appear
// only once in a model (each layer keeps the state of its own last Forward).
// In training, a layer that can fold in the ReLU after it (IFusesReLU: BatchNorm, Residual) runs with it as one layer —
// the same bits, one pass over the tensors fewer, no intermediate tensor; the ReLU child then keeps no state from that
// Forward. Not in evaluation: there an inference arena's liveness plan may have given the ReLU's output its own slot and
// the BatchNorm's slot to a later layer.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>An ordered container whose output is its children applied in order.</summary>
public sealed class Sequential : Module
{
    private readonly List<(string Name, Module Module)> _children = [];
    private bool[] _fusedWithNext = []; // by the last Forward: child i ran with child i + 1 (a ReLU) folded into it
    private bool _ready;

    /// <summary>Creates a chain of <paramref name="modules"/> named "0", "1", ....</summary>
    /// <exception cref="ArgumentNullException">A module is null.</exception>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        for (int i = 0; i < modules.Length; i++) Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), modules[i]);
    }

    /// <summary>Appends <paramref name="module"/> under <paramref name="name"/> and returns this container.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used.</exception>
    public Sequential Add(string name, Module module)
    {
        Insert(_children.Count, name, module);
        return this;
    }

    /// <summary>Inserts <paramref name="module"/> under <paramref name="name"/> before the child at <paramref name="index"/>
    /// (inference rewrites).</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, Count].</exception>
    internal void Insert(int index, string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, _children.Count);
        if (name.Length == 0 || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"Sequential: child name '{name}' must be non-empty and contain no '.'.", nameof(name));
        if (_children.Exists(c => c.Name == name))
            throw new ArgumentException($"Sequential: a child named '{name}' already exists.", nameof(name));
        _children.Insert(index, (name, module));
        _ready = false;
    }

    /// <summary>Replaces the <paramref name="count"/> children from <paramref name="index"/> by one (inference rewrites).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the children.</exception>
    internal void ReplaceRange(int index, int count, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index + count, _children.Count, nameof(count));
        string name = _children[index].Name;
        _children.RemoveRange(index, count);
        _children.Insert(index, (name, module));
        _ready = false;
    }

    /// <summary>Number of children.</summary>
    public int Count => _children.Count;

    /// <summary>The child at position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Index out of range.</exception>
    public Module this[int index] => _children[index].Module;

    /// <summary>The child named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No child has that name.</exception>
    public Module this[string name]
    {
        get
        {
            foreach (var (n, m) in _children) if (n == name) return m;
            throw new KeyNotFoundException($"Sequential has no child named '{name}' (children: {string.Join(", ", _children.Select(c => c.Name))}).");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Applies the children in order. Returns the last child's output (owned by that child), or the input when empty.</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ready = false;
        if (_fusedWithNext.Length != _children.Count) _fusedWithNext = new bool[_children.Count];
        Array.Clear(_fusedWithNext);
        var x = input;
        for (int i = 0; i < _children.Count; i++)
        {
            var m = _children[i].Module;
            if (training && m is IFusesReLU f && i + 1 < _children.Count && _children[i + 1].Module is ReLU)
            {
                x = f.Forward(x, training, relu: true);
                _fusedWithNext[i++] = true;
            }
            else x = m.Forward(x, training);
        }
        _ready = training;
        return x;
    }

    /// <summary>Back-propagates through the children in reverse order; returns the input gradient.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, this);
        ArgumentNullException.ThrowIfNull(gradOutput);
        _ready = false;
        var g = gradOutput;
        for (int i = _children.Count - 1; i >= 0; i--)
        {
            if (i > 0 && _fusedWithNext[i - 1]) i--; // the ReLU's gradient is taken inside the layer before it
            g = _children[i].Module.Backward(g);
        }
        return g;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Sequential({string.Join(", ", _children.Select(c => c.Name + ": " + c.Module))})";
}
