// CatInPlace: a channel concatenation whose producers already wrote their parts into its ConcatBuffer (InferenceGraph's
// rewrite of a Cat fed only by fused convolutions). Every input is that buffer; the node returns it. Inference only.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Returns the <see cref="ConcatBuffer"/> its inputs filled.</summary>
public sealed class CatInPlace : GraphOp
{
    private readonly Tensor[] _output = new Tensor[1];

    /// <summary>Creates the node over <paramref name="buffer"/>.</summary>
    public CatInPlace(ConcatBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Buffer = buffer;
    }

    /// <summary>The buffer the producers fill.</summary>
    public ConcatBuffer Buffer { get; }

    /// <summary>The buffer, after checking that every input is it.</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true.</exception>
    /// <exception cref="InvalidOperationException">An input is not the buffer (a producer did not write in place).</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (training) throw new NotSupportedException($"{this} is an inference-only rewrite; train the unfused model.");
        var all = Buffer.Tensor;
        foreach (var x in inputs)
            if (all is null || !ReferenceEquals(x, all))
                throw new InvalidOperationException($"{this}: an input was not written into the concatenation's buffer.");
        _output[0] = all!;
        return _output;
    }

    /// <summary>Always throws: the node exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs) =>
        throw new NotSupportedException($"{this} is an inference-only rewrite; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString() => $"Cat(1, {Buffer.Channels} channels, written in place)";
}
