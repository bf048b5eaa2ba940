// ParameterSlicing: the copy-the-survivors kernels of structural shrinking. A tensor is viewed as
// rows [D0, R] (R = product of the other dims) whose rows may be split into U blocks of B entries:
//   KeepRows(t, keep)                     [D0, ...]      → [|keep|, ...]        (units of a producer)
//   KeepBlocks(t, keep, B, newShape)      [D0, U·B]      → [D0, |keep|·B]       (inputs of a consumer)
// `keep` lists surviving indices in increasing order. Parameters are shrunk value and mask together
// through Parameter.Replace, so a masked parameter stays masked on its survivors (the gradient is
// reset to zero; optimizers recreate state of the new size on their next step).
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Pruning.Structure;

/// <summary>Copies the surviving rows or column blocks of tensors and parameters.</summary>
internal static class ParameterSlicing
{
    /// <summary>True when every entry is zero (+0 or −0).</summary>
    public static bool AllZero(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (v != 0f) return false;
        return true;
    }

    /// <summary>Rows <paramref name="keep"/> of <paramref name="t"/> viewed as [D0, R]; the result keeps the trailing dims.</summary>
    public static Tensor KeepRows(Tensor t, int[] keep)
    {
        int d0 = t.Dim(0), r = t.Length / d0;
        int[] shape = t.Shape.ToArray();
        shape[0] = keep.Length;
        var result = new Tensor(shape);
        for (int i = 0; i < keep.Length; i++)
            t.Data.AsSpan(keep[i] * r, r).CopyTo(result.Data.AsSpan(i * r, r));
        return result;
    }

    /// <summary>
    /// Blocks <paramref name="keep"/> (each <paramref name="block"/> wide) of every row of <paramref name="t"/>
    /// viewed as [D0, U·block]; the result has shape <paramref name="newShape"/> (D0·|keep|·block elements).
    /// </summary>
    public static Tensor KeepBlocks(Tensor t, int[] keep, int block, int[] newShape)
    {
        int d0 = t.Dim(0), r = t.Length / d0, nr = keep.Length * block;
        var result = new Tensor(newShape);
        System.Diagnostics.Debug.Assert(result.Length == d0 * nr);
        for (int o = 0; o < d0; o++)
            for (int i = 0; i < keep.Length; i++)
                t.Data.AsSpan(o * r + keep[i] * block, block).CopyTo(result.Data.AsSpan(o * nr + i * block, block));
        return result;
    }

    /// <summary>Shrinks <paramref name="p"/> to rows <paramref name="keep"/> (value and mask).</summary>
    public static void KeepRows(Parameter p, int[] keep) =>
        p.Replace(KeepRows(p.Value, keep), p.Mask is null ? null : KeepRows(p.Mask, keep));

    /// <summary>Shrinks <paramref name="p"/> to column blocks <paramref name="keep"/> (value and mask); see <see cref="KeepBlocks(Tensor, int[], int, int[])"/>.</summary>
    public static void KeepBlocks(Parameter p, int[] keep, int block, int[] newShape) =>
        p.Replace(KeepBlocks(p.Value, keep, block, newShape), p.Mask is null ? null : KeepBlocks(p.Mask, keep, block, newShape));
}
