// ChannelGroup: channels that are pruned together as one layer would be — every channel of the group has the same
// producers (e.g. the 16 channels of a ResNet stage's residual stream, written by the stem and by every block's last
// convolution and shortcut). Channel k of the group is one dependency group in Torch-Pruning's sense: all of its
// slices (producer rows, BatchNorm entries, consumer inputs, depthwise filters) go together.
namespace Topiary.Pruning.Channels;

/// <summary>A set of channels with the same producers and, per channel, every parameter slice that goes with it.</summary>
public sealed class ChannelGroup
{
    internal ChannelGroup(IReadOnlyList<string> producers, IReadOnlyList<string> layers, IReadOnlyList<IReadOnlyList<ChannelSlice>> slices, int[] classes)
    {
        Producers = producers;
        Layers = layers;
        Slices = slices;
        Classes = classes;
    }

    /// <summary>The first producer's name (e.g. <c>layer1.0.body.conv1</c>).</summary>
    public string Name => Producers[0];

    /// <summary>Layers whose output units are the channels (Conv2d/Linear rows), in execution order.</summary>
    public IReadOnlyList<string> Producers { get; }

    /// <summary>Every layer with a slice in the group (producers, BatchNorms, consumers, depthwise convolutions).</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => Classes.Length;

    /// <summary>Per channel, every parameter slice that is removed with it.</summary>
    public IReadOnlyList<IReadOnlyList<ChannelSlice>> Slices { get; }

    /// <summary>Per channel, its class in the analysis (what the remover and the MAC model key on).</summary>
    internal int[] Classes { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Channels} channels; producers {string.Join(", ", Producers)})";
}

/// <summary>Channels the analysis will not prune, and why.</summary>
/// <param name="Layer">The layer that writes them (or the op that pins them when nothing prunable writes them).</param>
/// <param name="Channels">How many channels.</param>
/// <param name="Reason">Why they are kept (an op that mixes channels, a model output, a protected layer ...).</param>
public sealed record UnprunableChannels(string Layer, int Channels, string Reason);
