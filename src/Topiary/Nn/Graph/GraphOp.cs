// GraphOp: a layer with several inputs and/or several outputs (Add, Mul, Cat, Split, a whole Graph).
// Forward(inputs, training) returns one tensor per output; Backward(gradOutputs) takes one gradient per output (same
// shapes as the last outputs) and returns one gradient per input (same shapes as the last inputs), accumulating
// parameter gradients like Module.Backward. The single-tensor Module overloads work when the op has exactly one input
// and one output. Returned tensors are op-owned buffers that the next call may overwrite.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Base class of layers with several inputs or outputs (nodes of a <see cref="Graph"/>).</summary>
public abstract class GraphOp : Module
{
    /// <summary>Number of outputs every Forward returns (1 unless the op splits).</summary>
    public virtual int OutputCount => 1;

    /// <summary>Computes the outputs for <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs or incompatible shapes; the message names the op and the shapes.</exception>
    public abstract IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training);

    /// <summary>
    /// Back-propagates one gradient per output (shapes of the last outputs); returns one gradient per input (shapes of
    /// the last inputs) and adds parameter gradients into <see cref="Parameter.Grad"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Wrong number or shape of gradients.</exception>
    public abstract IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs);

    /// <summary>Forward for an op with one input and one output.</summary>
    /// <exception cref="InvalidOperationException">The op does not have exactly one output.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (OutputCount != 1) throw new InvalidOperationException($"{this}: has {OutputCount} outputs; use Forward(inputs, training).");
        return Forward([input], training)[0];
    }

    /// <summary>Backward for an op with one input and one output.</summary>
    /// <exception cref="InvalidOperationException">The op does not have exactly one output, or no preceding training-mode Forward.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (OutputCount != 1) throw new InvalidOperationException($"{this}: has {OutputCount} outputs; use Backward(gradOutputs).");
        var g = Backward([gradOutput]);
        if (g.Count != 1) throw new InvalidOperationException($"{this}: has {g.Count} inputs; use Backward(gradOutputs).");
        return g[0];
    }

    /// <summary>
    /// The start of a one-output op's Backward: throws unless a training-mode Forward came first
    /// (<paramref name="ready"/>) and <paramref name="gradOutputs"/> is one gradient of the shape of
    /// <paramref name="output"/>; clears <paramref name="ready"/> and returns that gradient.
    /// </summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Not one gradient of the output shape.</exception>
    protected Tensor BeginSingleBackward(ref bool ready, IReadOnlyList<Tensor> gradOutputs, Tensor output)
    {
        LayerHelpers.RequireForward(ready, this);
        CheckCount(gradOutputs, 1, "output gradients");
        var dy = gradOutputs[0];
        LayerHelpers.CheckGradShape(this, dy, output);
        ready = false;
        return dy;
    }

    /// <summary>The op as text; it names the op in error messages.</summary>
    public abstract override string ToString();

    /// <summary>Throws unless exactly <paramref name="expected"/> tensors were passed.</summary>
    protected void CheckCount(IReadOnlyList<Tensor> tensors, int expected, string what)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count != expected)
            throw new ArgumentException($"{this}: expected {expected} {what}, got {tensors.Count}.", nameof(tensors));
        for (int i = 0; i < tensors.Count; i++)
            if (tensors[i] is null) throw new ArgumentNullException(nameof(tensors), $"{this}: {what} {i} is null.");
    }
}
