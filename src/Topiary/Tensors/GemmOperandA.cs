// GemmOperandA: where a micro-kernel reads its A values.
//   PanelA: a packed micro-panel (GemmPacking.PackA): step p's Mr values are contiguous, row r of step p at a[p·Mr + r].
//   RowsA:  Mr rows of a row-major op(A) where they lie, row r of step p at a[r·lda + p] — for a product whose A is a
//           few rows against pre-packed weights (a Linear layer at batch > 1), where packing A cost a few percent of the
//           product (MLAS reads A in place the same way).
// A kernel reads the same values in the same order through either, so its results are bitwise equal.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>The layout of a micro-kernel's A operand (see file header).</summary>
internal unsafe interface IOperandA
{
    /// <summary>Row <paramref name="row"/>'s value at k step <paramref name="step"/> (relative to <paramref name="a"/>) of a
    /// tile of <paramref name="mr"/> rows.</summary>
    static abstract float At(float* a, nint lda, int mr, int row, int step);

    /// <summary>How far <paramref name="steps"/> k steps move the A pointer of a tile of <paramref name="mr"/> rows.</summary>
    static abstract nint Advance(int mr, int steps);
}

/// <summary>A packed micro-panel: a[p·Mr + r].</summary>
internal readonly unsafe struct PanelA : IOperandA
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float At(float* a, nint lda, int mr, int row, int step) => a[step * mr + row];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Advance(int mr, int steps) => mr * steps;
}

/// <summary>Rows of a row-major matrix in place: a[r·lda + p].</summary>
internal readonly unsafe struct RowsA : IOperandA
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float At(float* a, nint lda, int mr, int row, int step) => a[row * lda + step];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Advance(int mr, int steps) => steps;
}
