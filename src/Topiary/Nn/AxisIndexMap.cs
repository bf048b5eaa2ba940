// AxisIndexMap: the one index-mapping kernel behind Permute, Slice and Pad. The output element at
// (o_0, ..., o_{r-1}) reads the input element at flat offset Σ_a Offsets[a][o_a]: each table lists, for every
// output position along output axis a, the input offset it contributes (input index · input stride of the axis
// it reads), or Missing when that position lies outside the input (Pad's constant border; the element is then
// the fill value).
//   Gather (forward):  y[o] = Missing anywhere ? fill : x[Σ_a Offsets[a][o_a]]
//   Scatter (adjoint): dx = 0; dx[Σ_a Offsets[a][o_a]] += dy[o] for every o without a Missing entry
// Several outputs may read one input (Pad's reflect/edge borders); their gradients add.
// The innermost axis is a contiguous copy, a strided loop or a general per-element loop, chosen once per map. A table may
// stand for several output axes laid out together (Permute merges axes that stay in order); the output shape is then given.
namespace Topiary.Nn;

internal sealed class AxisIndexMap
{
    /// <summary>The table entry of an output position that reads no input element.</summary>
    public const int Missing = int.MinValue;

    private enum Row { Contiguous, Strided, General }

    private readonly int[][] _offsets;
    private readonly Row _row;
    private readonly int _rowStart, _rowStride;

    /// <summary>
    /// Creates the map from <paramref name="inputShape"/> through the per-output-axis offset tables; an output axis may
    /// stand for several (Permute's merged axes), when <paramref name="outputShape"/> gives the shape the tables lay out.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="outputShape"/> holds a different number of elements than the tables.</exception>
    public AxisIndexMap(int[] inputShape, int[][] offsets, int[]? outputShape = null)
    {
        InputShape = inputShape;
        _offsets = offsets;
        OutputShape = outputShape ?? offsets.Select(t => t.Length).ToArray();
        if (outputShape is not null && outputShape.Aggregate(1L, (a, d) => a * d) != offsets.Aggregate(1L, (a, t) => a * t.Length))
            throw new ArgumentException($"Output shape {Topiary.Tensors.Tensor.ShapeString(outputShape)} does not hold the tables' {offsets.Aggregate(1L, (a, t) => a * t.Length)} elements.", nameof(outputShape));
        if (offsets.Length > 0) (_row, _rowStart, _rowStride) = Classify(offsets[^1]);
    }

    /// <summary>The input shape the tables were built for.</summary>
    public int[] InputShape { get; }

    /// <summary>The output shape: one dimension per table, its length.</summary>
    public int[] OutputShape { get; }

    /// <summary>Row-major strides of <paramref name="shape"/> (elements, innermost 1).</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int stride = 1;
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            s[a] = stride;
            stride *= Math.Max(shape[a], 1);
        }
        return s;
    }

    /// <summary>y[o] = x[Σ_a Offsets[a][o_a]], or <paramref name="fill"/> where a table entry is <see cref="Missing"/>.</summary>
    public void Gather(ReadOnlySpan<float> x, Span<float> y, float fill)
    {
        if (y.Length == 0) return;
        if (_offsets.Length == 0)
        {
            y[0] = x[0];
            return;
        }
        var gather = new GatherRow(this, x, y, fill);
        ForEachRow(ref gather);
    }

    /// <summary>dx = 0, then dx[Σ_a Offsets[a][o_a]] += dy[o] for every output position that reads an input element.</summary>
    public void Scatter(ReadOnlySpan<float> dy, Span<float> dx)
    {
        dx.Clear();
        if (dy.Length == 0) return;
        if (_offsets.Length == 0)
        {
            dx[0] = dy[0];
            return;
        }
        var scatter = new ScatterRow(this, dy, dx);
        ForEachRow(ref scatter);
    }

    // The work on one output row (the innermost axis) at output offset pos whose outer axes read from input offset
    // start (Missing: the row lies in a border).
    private interface IRowStep
    {
        void Run(int pos, int start);
    }

    // Forward: the row of y from x, fill where nothing is read.
    private ref struct GatherRow(AxisIndexMap map, ReadOnlySpan<float> x, Span<float> y, float fill) : IRowStep
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public readonly void Run(int pos, int start)
        {
            var last = map._offsets[^1];
            int n = last.Length;
            var row = _y.Slice(pos, n);
            if (start == Missing)
            {
                row.Fill(fill);
                return;
            }
            switch (map._row)
            {
                case Row.Contiguous:
                    _x.Slice(start + map._rowStart, n).CopyTo(row);
                    break;
                case Row.Strided:
                    for (int o = 0, i = start + map._rowStart; o < n; o++, i += map._rowStride) row[o] = _x[i];
                    break;
                default:
                    for (int o = 0; o < n; o++) row[o] = last[o] == Missing ? fill : _x[start + last[o]];
                    break;
            }
        }
    }

    // Backward: the row of dy added into the dx elements it was read from.
    private ref struct ScatterRow(AxisIndexMap map, ReadOnlySpan<float> dy, Span<float> dx) : IRowStep
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _dx = dx;

        public readonly void Run(int pos, int start)
        {
            if (start == Missing) return;
            var last = map._offsets[^1];
            int n = last.Length;
            var row = _dy.Slice(pos, n);
            switch (map._row)
            {
                case Row.Contiguous:
                    var target = _dx.Slice(start + map._rowStart, n);
                    TensorPrimitives.Add(target, row, target);
                    break;
                case Row.Strided:
                    for (int o = 0, i = start + map._rowStart; o < n; o++, i += map._rowStride) _dx[i] += row[o];
                    break;
                default:
                    for (int o = 0; o < n; o++) if (last[o] != Missing) _dx[start + last[o]] += row[o];
                    break;
            }
        }
    }

    // Runs `step` on every output row in order (rank ≥ 1; a struct step: specialised, no indirect calls).
    private void ForEachRow<TStep>(ref TStep step) where TStep : IRowStep, allows ref struct
    {
        int n = _offsets[^1].Length;
        Span<int> index = stackalloc int[_offsets.Length];
        for (int pos = 0; ; pos += n)
        {
            step.Run(pos, RowStart(index));
            if (!Advance(index)) return;
        }
    }

    // Input offset of the row at the outer index (every axis but the last), or Missing.
    private int RowStart(ReadOnlySpan<int> index)
    {
        int start = 0;
        for (int a = 0; a < _offsets.Length - 1; a++)
        {
            int v = _offsets[a][index[a]];
            if (v == Missing) return Missing;
            start += v;
        }
        return start;
    }

    // Odometer over the outer axes; false after the last row.
    private bool Advance(Span<int> index)
    {
        for (int a = _offsets.Length - 2; a >= 0; a--)
        {
            if (++index[a] < _offsets[a].Length) return true;
            index[a] = 0;
        }
        return false;
    }

    // An innermost table t[o] = t0 + o·s without Missing entries is a copy (s = 1) or a strided loop.
    private static (Row, int, int) Classify(int[] t)
    {
        if (t.Length == 0 || Array.IndexOf(t, Missing) >= 0) return (Row.General, 0, 0);
        int stride = t.Length > 1 ? t[1] - t[0] : 1;
        for (int o = 1; o < t.Length; o++)
            if (t[o] - t[o - 1] != stride) return (Row.General, 0, 0);
        return (stride == 1 ? Row.Contiguous : Row.Strided, t[0], stride);
    }
}
