// FusedResidual: an inference-only rewrite of a Residual block whose body ends in a convolution, written by
// InferenceGraph.Fuse inside Sequentials (code-built networks: MobileNet-v2's inverted residuals, ResNet blocks as
// Sequential + Residual). y = clamp(last(prefix(x)) + shortcut(x), min, max): the shortcut's output is the residual of
// the body's last convolution (a FusedConv2d with a residual input), so the block's add — and a clamp that followed
// the block — run in that convolution's epilogue instead of as passes of their own, as the Graph rewrite does for an
// ONNX model's Add. In a channels-last stack (ChannelsLastRewrite) the last layer is a ChannelsLastConv2d, and the
// block's tensors are channels last. Training is refused.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A residual block with its add (and a following clamp) fused into the body's last convolution, for inference.</summary>
public sealed class FusedResidual : Module
{
    private readonly Tensor[] _inputs = new Tensor[2];

    /// <summary>Creates the block: <paramref name="prefix"/> (the body without its last layer, or null when the body is
    /// that layer alone), then <paramref name="last"/> with the shortcut's output as its residual.</summary>
    /// <exception cref="ArgumentException"><paramref name="last"/> is not a fused convolution (channels first or last) that
    /// takes a residual input and owns its output.</exception>
    public FusedResidual(Module? prefix, GraphOp last, Module? shortcut)
    {
        ArgumentNullException.ThrowIfNull(last);
        if (last is not (FusedConv2d { HasResidual: true, Target: null } or ChannelsLastConv2d { HasResidual: true }))
            throw new ArgumentException($"FusedResidual: the last layer must take a residual input and own its output; got {last}.", nameof(last));
        Prefix = prefix;
        Last = last;
        Shortcut = shortcut;
    }

    /// <summary>The body before its last convolution, or null.</summary>
    public Module? Prefix { get; }

    /// <summary>The body's last convolution (a <see cref="FusedConv2d"/> or <see cref="ChannelsLastConv2d"/>), adding the
    /// shortcut's output in its epilogue.</summary>
    public GraphOp Last { get; }

    /// <summary>The shortcut branch, or null for identity.</summary>
    public Module? Shortcut { get; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        if (Prefix is not null) yield return ("prefix", Prefix);
        yield return ("last", Last);
        if (Shortcut is not null) yield return ("shortcut", Shortcut);
    }

    /// <summary>clamp(last(prefix(x)) + shortcut(x)) (the last convolution's output buffer).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the block exists for inference only.</exception>
    /// <exception cref="ArgumentException">The branch outputs have different shapes.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");
        _inputs[0] = Prefix is null ? input : Prefix.Forward(input, training: false);
        _inputs[1] = Shortcut is null ? input : Shortcut.Forward(input, training: false);
        try
        {
            return Last.Forward(_inputs, training: false)[0];
        }
        finally
        {
            Array.Clear(_inputs);
        }
    }

    /// <summary>Always throws: the block exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) =>
        throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString() =>
        $"FusedResidual(prefix={(Prefix?.ToString() ?? "none")}, last={Last}, shortcut={(Shortcut?.ToString() ?? "identity")})";
}
