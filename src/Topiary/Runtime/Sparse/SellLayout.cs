// SellLayout: the slot layout shared by SellWeight (float values) and CodebookWeight (codes into a codebook) —
// 16-row slices swept by a sliding two-register (32-column) window, one column offset per slot; see SellWeight
// for the schedule. Built from a matrix's row structure (CSR pointers and columns, no values), it keeps the steps and
// hands out, for every slot, which CSR entry it holds (−1 for padding) and its column offset in the window (255 for
// padding), so a format stores values and offsets its own way in slot order:
//   Steps [Slices·Positions] byte, slice-major; slots in the order: pair of slices, position, slice of the pair, step
//   (16 lanes per step).
// The slot walks every format shares are generic over the slot's contents (ISlotValues, a struct: no virtual call per
// slot): the portable batch-1 product (the fallback without AVX-512; skips padding), the conv-column product and the
// stored-entry visit that the scalar twins derive from.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>The contents of one slot of a sell layout.</summary>
internal interface ISlotValues
{
    /// <summary>
    /// The weight and the column offset in its window (<see cref="SellLayout.PaddingOffset"/> and 0 for padding) of lane
    /// <paramref name="lane"/> of step <paramref name="step"/> of a pair block (<see cref="SellLayout.Walk"/>) of
    /// <paramref name="steps"/> steps whose slots start at <paramref name="block"/> — slot block + 16·step + lane in storage
    /// order, unless a format lays a pair block's slots out its own way.
    /// </summary>
    (float Weight, int Offset) At(int block, int step, int steps, int lane);
}

/// <summary>The slot layout of a sliced-ELLPACK weight with a sliding 32-column window.</summary>
internal sealed class SellLayout
{
    /// <summary>Rows per slice (lanes of one AVX-512 register).</summary>
    public const int SliceRows = 16;

    /// <summary>Columns per input register; the window spans two of them and slides by one.</summary>
    public const int RegisterCols = 16;

    /// <summary>Columns a step can reach (two input registers).</summary>
    public const int WindowCols = 2 * RegisterCols;

    /// <summary>The offset of a padding slot.</summary>
    public const byte PaddingOffset = 255;

    /// <summary>
    /// Lays out the matrix [rows, cols] whose row r stores columns[pointers[r]..pointers[r + 1]) (increasing);
    /// <paramref name="entryOfSlot"/> receives, per slot, the index of the CSR entry it holds or −1 for padding, and
    /// <paramref name="offsets"/> its column offset in the window (<see cref="PaddingOffset"/> for padding).
    /// </summary>
    public SellLayout(int rows, int cols, ReadOnlySpan<int> pointers, ReadOnlySpan<int> columns, out int[] entryOfSlot, out byte[] offsets)
    {
        Rows = rows;
        Cols = cols;
        Slices = (rows + SliceRows - 1) / SliceRows;
        Positions = (cols + RegisterCols - 1) / RegisterCols;
        Steps = new byte[Slices * Positions];
        Span<int> head = stackalloc int[SliceRows];
        // Per slice: the (position, step, lane) slots as (entry, offset); interleaved by pair of slices below.
        var sliceEntries = new List<int>[Slices];
        var sliceOffsets = new List<byte>[Slices];
        for (int s = 0; s < Slices; s++)
        {
            var se = sliceEntries[s] = [];
            var so = sliceOffsets[s] = [];
            int lanes = Math.Min(SliceRows, rows - s * SliceRows);
            for (int l = 0; l < lanes; l++) head[l] = pointers[s * SliceRows + l];
            for (int p = 0; p < Positions; p++)
            {
                // Entries of register p must be placed now (the window leaves it); spare steps take register p + 1's.
                int count = 0;
                for (int l = 0; l < lanes; l++)
                {
                    int due = 0, end = pointers[s * SliceRows + l + 1];
                    for (int h = head[l]; h < end && columns[h] < RegisterCols * (p + 1); h++) due++;
                    count = Math.Max(count, due);
                }
                int slot0 = se.Count;
                for (int i = 0; i < count * SliceRows; i++)
                {
                    se.Add(-1);
                    so.Add(PaddingOffset);
                }
                for (int l = 0; l < lanes; l++)
                {
                    int end = pointers[s * SliceRows + l + 1];
                    for (int k = 0; k < count && head[l] < end && columns[head[l]] < RegisterCols * p + WindowCols; k++)
                    {
                        int e = head[l]++;
                        se[slot0 + k * SliceRows + l] = e;
                        so[slot0 + k * SliceRows + l] = (byte)(columns[e] - RegisterCols * p);
                        NonZeros++;
                    }
                }
                Steps[s * Positions + p] = (byte)count;
            }
        }
        var entries = new List<int>();
        var slotOffsets = new List<byte>();
        var taken = new int[Slices];
        ForEachBlock((s, p, count) =>
        {
            entries.AddRange(sliceEntries[s].GetRange(taken[s], count * SliceRows));
            slotOffsets.AddRange(sliceOffsets[s].GetRange(taken[s], count * SliceRows));
            taken[s] += count * SliceRows;
        });
        entryOfSlot = [.. entries];
        offsets = [.. slotOffsets];
        Slots = offsets.Length;
    }

    /// <summary>Rows of the matrix.</summary>
    public int Rows { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Cols { get; }

    /// <summary>Number of 16-row slices.</summary>
    public int Slices { get; }

    /// <summary>Window positions per slice (= 16-column input registers).</summary>
    public int Positions { get; }

    /// <summary>Steps per (slice, position), slice-major.</summary>
    public byte[] Steps { get; }

    /// <summary>Slots (non-zeros + padding).</summary>
    public int Slots { get; }

    /// <summary>Stored entries (slots that are not padding).</summary>
    public long NonZeros { get; }

    /// <summary>Calls visit(slice, position, steps) for every (slice, position) in storage order: pair of slices, position, slice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForEachBlock(Action<int, int, int> visit)
    {
        for (int s0 = 0; s0 < Slices; s0 += 2)
            for (int p = 0; p < Positions; p++)
                for (int s = s0; s < Math.Min(Slices, s0 + 2); s++) visit(s, p, Steps[s * Positions + p]);
    }

    /// <summary>
    /// Every step in storage order. A pair block is one pair of slices at one window position: the first slice's steps,
    /// then the second's; Block is its first slot, Step the step's index in it and Steps its step count.
    /// </summary>
    public IEnumerable<(int Block, int Slice, int Position, int Step, int Steps)> Walk()
    {
        int block = 0;
        for (int s0 = 0; s0 < Slices; s0 += 2)
            for (int p = 0; p < Positions; p++)
            {
                int first = Steps[s0 * Positions + p], steps = first + (s0 + 1 < Slices ? Steps[(s0 + 1) * Positions + p] : 0);
                for (int k = 0; k < steps; k++) yield return (block, k < first ? s0 : s0 + 1, p, k, steps);
                block += steps * SliceRows;
            }
    }

    /// <summary>y = W·x for one example (no bias, no activation), walking the slots in storage order and skipping padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyPortable<TValues>(TValues values, ReadOnlySpan<float> x, Span<float> y) where TValues : struct, ISlotValues
    {
        y[..Rows].Clear();
        foreach (var (block, s, p, k, steps) in Walk())
            for (int l = 0; l < SliceRows; l++)
            {
                var (weight, offset) = values.At(block, k, steps, l);
                if (offset != PaddingOffset) y[s * SliceRows + l] += weight * x[RegisterCols * p + offset];
            }
    }

    /// <summary>C[r, 0..p) = act(Σ_j W[r, j]·B[j, 0..p) + bias[r]) slot by slot (see SparseWeight.MultiplyColumns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyColumns<TValues>(TValues values, ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
        where TValues : struct, ISlotValues
    {
        for (int r = 0; r < Rows; r++) c.Slice(r * ldc, p).Clear();
        foreach (var (block, s, q, k, steps) in Walk())
            for (int l = 0; l < SliceRows; l++)
            {
                var (weight, offset) = values.At(block, k, steps, l);
                if (offset == PaddingOffset) continue;
                var dst = c.Slice((s * SliceRows + l) * ldc, p);
                TensorPrimitives.MultiplyAdd(b.Slice((RegisterCols * q + offset) * ldb, p), weight, dst, dst);
            }
        for (int r = 0; r < Rows; r++) SparseWeight.Finish(c.Slice(r * ldc, p), bias.IsEmpty ? default : bias.Slice(r, 1), relu);
    }

    /// <summary>Visits every stored (non-padding) slot as (row, column, value) in storage order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForEachStored<TValues>(TValues values, StoredEntryVisitor visit) where TValues : struct, ISlotValues
    {
        foreach (var (block, s, p, k, steps) in Walk())
            for (int l = 0; l < SliceRows; l++)
            {
                var (weight, offset) = values.At(block, k, steps, l);
                if (offset != PaddingOffset) visit(s * SliceRows + l, RegisterCols * p + offset, weight);
            }
    }
}
