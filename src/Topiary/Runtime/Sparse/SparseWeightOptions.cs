// SparseWeightOptions: the shape parameters of the structured formats — the SIMD-group width (Scalpel) and
// the block size of block-sparse rows. 0 means "the host default" (the float SIMD lanes: 16 with Vector512,
// 8 with Vector256, 4 otherwise), so a format built without options fits the machine it runs on.
using System.Runtime.Intrinsics;

namespace Topiary.Runtime.Sparse;

/// <summary>Group width and block size for <see cref="SparseWeight.Create"/>.</summary>
public sealed record SparseWeightOptions
{
    /// <summary>Float lanes of the widest accelerated vector: 16 (Vector512), 8 (Vector256) or 4.</summary>
    public static int HostLanes { get; } =
        Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>SIMD-group width: 2, 4, 8 or 16; 0 = <see cref="HostLanes"/>.</summary>
    public int GroupWidth { get; init; }

    /// <summary>Rows per block of the block-sparse format (1..16); default 4.</summary>
    public int BlockRows { get; init; } = 4;

    /// <summary>Columns per block of the block-sparse format: 2, 4, 8 or 16; 0 = <see cref="HostLanes"/>.</summary>
    public int BlockCols { get; init; }

    /// <summary>The group width in effect (resolves 0 to <see cref="HostLanes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 0, 2, 4, 8 or 16.</exception>
    public int ResolvedGroupWidth => ResolveWidth(GroupWidth, nameof(GroupWidth));

    /// <summary>The block column count in effect (resolves 0 to <see cref="HostLanes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not 0, 2, 4, 8 or 16.</exception>
    public int ResolvedBlockCols => ResolveWidth(BlockCols, nameof(BlockCols));

    /// <summary>The block row count, validated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is outside 1..16.</exception>
    public int ResolvedBlockRows => BlockRows is >= 1 and <= 16
        ? BlockRows
        : throw new ArgumentOutOfRangeException(nameof(BlockRows), BlockRows, "Block rows must be in 1..16.");

    internal static int ResolveWidth(int width, string name) => width switch
    {
        0 => HostLanes,
        2 or 4 or 8 or 16 => width,
        _ => throw new ArgumentOutOfRangeException(name, width, $"{name} must be 2, 4, 8 or 16 (or 0 for the host's {HostLanes} lanes)."),
    };
}
