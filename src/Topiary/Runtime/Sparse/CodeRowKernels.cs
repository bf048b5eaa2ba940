// CodeRowKernels: a codebook weight's products from its rows — per row the stored columns (16-bit, increasing) and their
// codes (one byte) — on AVX2 hosts without the AVX-512 sell kernels (CodebookWeight keeps these arrays there):
//   n ≥ 4: a block of 8 examples is transposed (xt[c·8 + e] = X[e, c]) and every entry is one 8-wide FMA of the
//   broadcast centroid table[code] with xt[column] — the float CSR block kernel (CsrKernels) with the weight looked up —
//   into four accumulators.
//   n < 4: per row, 8 entries at a time, the 8 inputs and the 8 centroids each assembled with inserts (a software
//   gather: each load folds into an insert), two accumulators; rows shorter than 16 run a 4-way scalar loop.
// Sums per row run in a fixed order that depends only on the shapes (deterministic); the scalar twin is the weight's
// MultiplyScalar. Bias (null: none) and ReLU (NaN kept) are applied as each row's sum is written.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Topiary.Tensors;

namespace Topiary.Runtime.Sparse;

/// <summary>Codebook products over CSR arrays of columns and codes (pinned by the caller).</summary>
internal static unsafe class CodeRowKernels
{
    private const int Block = 8;

    /// <summary>
    /// Y[i, r] = act(Σ over row r's entries k of table[codes[k]]·X[i, columns[k]] + bias[r]); x [n, cols], y [n, rows],
    /// bias [rows] or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int* pointers, ushort* columns, byte* codes, float* table, int rows, int cols, float* x, int n, float* y,
        float* bias, bool relu)
    {
        if (n < 4)
        {
            for (int i = 0; i < n; i++) Rows(pointers, columns, codes, table, rows, x + (nint)i * cols, y + (nint)i * rows, bias, relu);
            return;
        }
        float[] scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, cols * Block));
        try
        {
            fixed (float* xt = scratch)
                for (int i0 = 0; i0 < n; i0 += Block)
                {
                    int count = Math.Min(Block, n - i0);
                    CsrKernels.TransposeBlock(x, cols, i0, count, xt);
                    for (int r = 0; r < rows; r++)
                    {
                        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = acc0, acc2 = acc0, acc3 = acc0;
                        int k = pointers[r], end = pointers[r + 1];
                        for (; k + 4 <= end; k += 4)
                        {
                            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(table[codes[k]]), Vector256.Load(xt + columns[k] * Block), acc0);
                            acc1 = Vector256.FusedMultiplyAdd(Vector256.Create(table[codes[k + 1]]), Vector256.Load(xt + columns[k + 1] * Block), acc1);
                            acc2 = Vector256.FusedMultiplyAdd(Vector256.Create(table[codes[k + 2]]), Vector256.Load(xt + columns[k + 2] * Block), acc2);
                            acc3 = Vector256.FusedMultiplyAdd(Vector256.Create(table[codes[k + 3]]), Vector256.Load(xt + columns[k + 3] * Block), acc3);
                        }
                        for (; k < end; k++)
                            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(table[codes[k]]), Vector256.Load(xt + columns[k] * Block), acc0);
                        acc0 = (acc0 + acc1) + (acc2 + acc3);
                        if (bias is not null) acc0 += Vector256.Create(bias[r]);
                        if (relu) acc0 = NativeClamp.Relu(acc0);
                        for (int e = 0; e < count; e++) y[(nint)(i0 + e) * rows + r] = acc0.GetElement(e);
                    }
                }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    // One example: y[r] = act(Σ table[code]·x[column] over row r's entries + bias[r]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(int* pointers, ushort* columns, byte* codes, float* table, int rows, float* x, float* y, float* bias, bool relu)
    {
        for (int r = 0; r < rows; r++)
        {
            int k = pointers[r], end = pointers[r + 1];
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; k + 2 * Block <= end; k += 2 * Block)
            {
                ushort* c = columns + k;
                byte* w = codes + k;
                var x0 = Vector256.Create(x[c[0]], x[c[1]], x[c[2]], x[c[3]], x[c[4]], x[c[5]], x[c[6]], x[c[7]]);
                var w0 = Vector256.Create(table[w[0]], table[w[1]], table[w[2]], table[w[3]], table[w[4]], table[w[5]], table[w[6]], table[w[7]]);
                var x1 = Vector256.Create(x[c[8]], x[c[9]], x[c[10]], x[c[11]], x[c[12]], x[c[13]], x[c[14]], x[c[15]]);
                var w1 = Vector256.Create(table[w[8]], table[w[9]], table[w[10]], table[w[11]], table[w[12]], table[w[13]], table[w[14]], table[w[15]]);
                acc0 = Vector256.FusedMultiplyAdd(w0, x0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(w1, x1, acc1);
            }
            float s0 = Vector256.Sum(acc0 + acc1), s1 = 0, s2 = 0, s3 = 0;
            for (; k + 4 <= end; k += 4)
            {
                s0 += table[codes[k]] * x[columns[k]];
                s1 += table[codes[k + 1]] * x[columns[k + 1]];
                s2 += table[codes[k + 2]] * x[columns[k + 2]];
                s3 += table[codes[k + 3]] * x[columns[k + 3]];
            }
            for (; k < end; k++) s0 += table[codes[k]] * x[columns[k]];
            float sum = (s0 + s1) + (s2 + s3);
            if (bias is not null) sum += bias[r];
            y[r] = relu ? Math.Max(sum, 0f) : sum;
        }
    }
}
