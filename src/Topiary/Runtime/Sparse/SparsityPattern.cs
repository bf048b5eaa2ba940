// SparsityPattern: which entries a seeded random mask removes together — single elements (Han-style pruning),
// aligned groups of Width consecutive columns in a row (Scalpel's SIMD groups), or aligned BlockRows×BlockCols
// blocks. Used by SparsityPatterns (masks for tests, benchmarks and the crossover meter).
namespace Topiary.Runtime.Sparse;

/// <summary>The kind of unit a random mask removes.</summary>
public enum SparsityPatternKind
{
    /// <summary>Single weights.</summary>
    Element,
    /// <summary>Aligned groups of consecutive columns within a row.</summary>
    Group,
    /// <summary>Aligned rectangular blocks.</summary>
    Block,
}

/// <summary>A mask pattern: kind plus its unit size.</summary>
/// <param name="Kind">What is removed together.</param>
/// <param name="Width">Columns per unit (1 for elements; the group width; the block width).</param>
/// <param name="Height">Rows per unit (1 except for blocks).</param>
public sealed record SparsityPattern(SparsityPatternKind Kind, int Width, int Height)
{
    /// <summary>Single-element pruning.</summary>
    public static SparsityPattern Element { get; } = new(SparsityPatternKind.Element, 1, 1);

    /// <summary>Aligned groups of <paramref name="width"/> columns (2, 4, 8 or 16; 0 = host lanes).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 0, 2, 4, 8 or 16.</exception>
    public static SparsityPattern Group(int width) =>
        new(SparsityPatternKind.Group, SparseWeightOptions.ResolveWidth(width, nameof(width)), 1);

    /// <summary>Aligned <paramref name="rows"/>×<paramref name="cols"/> blocks (rows 1..16; cols 2, 4, 8, 16 or 0 = host lanes).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A block dimension is out of range.</exception>
    public static SparsityPattern Block(int rows, int cols)
    {
        if (rows is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Block rows must be in 1..16.");
        return new(SparsityPatternKind.Block, SparseWeightOptions.ResolveWidth(cols, nameof(cols)), rows);
    }

    /// <summary>"element", "group16", "block4x16".</summary>
    public override string ToString() => Kind switch
    {
        SparsityPatternKind.Element => "element",
        SparsityPatternKind.Group => $"group{Width}",
        _ => $"block{Height}x{Width}",
    };
}
