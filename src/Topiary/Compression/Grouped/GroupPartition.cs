// GroupPartition: the members of every group of a layer, in storage order. Groups are numbered by the
// granularity (IGranularity.Groups) and stored in that order; a group's members are its weight indices in
// ascending (row-major) order. Built with one counting pass, so a group's size may vary (an FC row's short
// last segment). Shared by the group-sparse encoder, decoder and storage model so all three agree.
using Topiary.Pruning;

namespace Topiary.Compression.Grouped;

/// <summary>Members of each group of a weight tensor, CSR-style: group g holds <c>Members[Offsets[g]..Offsets[g+1]]</c>.</summary>
public sealed class GroupPartition
{
    private GroupPartition(int[] groupOf, int count, int[] offsets, int[] members)
    {
        GroupOf = groupOf;
        Count = count;
        Offsets = offsets;
        Members = members;
    }

    /// <summary>Group of every weight (row-major).</summary>
    public int[] GroupOf { get; }

    /// <summary>Number of groups.</summary>
    public int Count { get; }

    /// <summary>Start of each group's members in <see cref="Members"/>; length <c>Count + 1</c>.</summary>
    public int[] Offsets { get; }

    /// <summary>Weight indices grouped by group, ascending within a group.</summary>
    public int[] Members { get; }

    /// <summary>Size of group <paramref name="g"/> in weights.</summary>
    public int Size(int g) => Offsets[g + 1] - Offsets[g];

    /// <summary>Members of group <paramref name="g"/>.</summary>
    public ReadOnlySpan<int> MembersOf(int g) => Members.AsSpan(Offsets[g], Size(g));

    /// <summary>Partitions a weight of shape <paramref name="shape"/> by <paramref name="granularity"/>.</summary>
    /// <exception cref="ArgumentException">The granularity rejects the shape, or returns a group index out of range.</exception>
    public static GroupPartition Of(ReadOnlySpan<int> shape, IGranularity granularity)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        int[] groupOf = granularity.Groups(shape, out int count);
        var offsets = new int[count + 1];
        foreach (int g in groupOf)
        {
            if ((uint)g >= (uint)count) throw new ArgumentException($"Granularity '{granularity.Name}' returned group {g} outside [0, {count}).", nameof(granularity));
            offsets[g + 1]++;
        }
        for (int g = 0; g < count; g++) offsets[g + 1] += offsets[g];
        var next = offsets.AsSpan(0, count).ToArray();
        var members = new int[groupOf.Length];
        for (int i = 0; i < groupOf.Length; i++) members[next[groupOf[i]]++] = i;
        return new GroupPartition(groupOf, count, offsets, members);
    }

    /// <summary>
    /// Kept groups: those with at least one weight that is unmasked (<paramref name="mask"/> empty = no mask)
    /// and non-zero. A group whose unmasked values are all zero contributes nothing and is stored as pruned.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths do not match the partition.</exception>
    public bool[] KeptGroups(ReadOnlySpan<float> weights, ReadOnlySpan<float> mask)
    {
        if (weights.Length != GroupOf.Length) throw new ArgumentException($"{weights.Length} weights for a partition of {GroupOf.Length}.", nameof(weights));
        if (!mask.IsEmpty && mask.Length != weights.Length) throw new ArgumentException($"Mask of {mask.Length} for {weights.Length} weights.", nameof(mask));
        var kept = new bool[Count];
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] != 0 && (mask.IsEmpty || mask[i] != 0)) kept[GroupOf[i]] = true;
        return kept;
    }
}
