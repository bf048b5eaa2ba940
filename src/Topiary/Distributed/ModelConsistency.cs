// ModelConsistency: every rank must hold the same model — the same weights, masks and pruning decisions — or
// data-parallel training silently trains N different models. Checksums (XxHash64 over the parameter values, and over
// the masks) of rank 0 are broadcast and compared on every rank; a mismatch anywhere fails every rank with the same
// verdict (so none is left waiting in a collective). Also here: rank 0's buffers (BatchNorm running statistics, which
// each rank accumulates from its own share) copied to all ranks, so that every rank evaluates the same model.
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Topiary.Nn;

namespace Topiary.Distributed;

/// <summary>Checks and restores that all ranks hold the same model.</summary>
public static class ModelConsistency
{
    /// <summary>Checksums of a model's state: the parameter values and the masks, in parameter order.</summary>
    public readonly record struct Checksums(ulong Values, ulong Masks);

    /// <summary>The checksums of <paramref name="model"/> (names, shapes, values; masks separately).</summary>
    public static Checksums Of(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var values = new XxHash64();
        var masks = new XxHash64();
        foreach (var (name, p) in model.NamedParameters())
        {
            byte[] id = System.Text.Encoding.UTF8.GetBytes(name);
            values.Append(id);
            values.Append(MemoryMarshal.AsBytes(p.Value.Span));
            masks.Append(id);
            if (p.Mask is { } m) masks.Append(MemoryMarshal.AsBytes(m.Span));
        }
        return new Checksums(values.GetCurrentHashAsUInt64(), masks.GetCurrentHashAsUInt64());
    }

    /// <summary>
    /// Throws on every rank when any rank's parameter values or masks differ from rank 0's. <paramref name="when"/>
    /// names the moment in the message ("after pruning round 3"). Returns the checksums (rank 0's on every rank).
    /// </summary>
    /// <exception cref="InvalidOperationException">The ranks disagree (the message gives rank 0's and this rank's checksums).</exception>
    public static Checksums Verify(ICommunicator communicator, Module model, string when)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        var mine = Of(model);
        if (communicator.Size == 1) return mine;
        Span<ulong> root = [mine.Values, mine.Masks];
        communicator.Broadcast(MemoryMarshal.AsBytes(root), 0);
        var reference = new Checksums(root[0], root[1]);
        Span<double> disagree = [reference == mine ? 0 : 1];
        communicator.AllReduceSum(disagree);
        if (disagree[0] > 0)
        {
            throw new InvalidOperationException(
                $"The ranks hold different models {when}: {disagree[0]:F0} rank(s) differ from rank 0 " +
                $"(rank 0: values {reference.Values:x16}, masks {reference.Masks:x16}; rank {communicator.Rank}: values {mine.Values:x16}, masks {mine.Masks:x16}).");
        }
        return reference;
    }

    /// <summary>Copies rank 0's buffers (e.g. BatchNorm running statistics) to every rank.</summary>
    /// <exception cref="IOException">A broadcast failed.</exception>
    public static void BroadcastBuffers(ICommunicator communicator, Module model)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(model);
        if (communicator.Size == 1) return;
        foreach (var (_, buffer) in model.NamedBuffers())
            communicator.Broadcast(MemoryMarshal.AsBytes(buffer.Span), 0);
    }
}
