// OnnxConstantFolder: computes at import every node whose inputs are all known (initializers, Constant nodes, static
// shapes), so weights "computed by the graph" (ConstantOfShape, Reshape/Transpose of an initializer, Unsqueeze of BN
// scales) and shape subgraphs (Shape → Gather → Unsqueeze → Concat feeding a Reshape) become plain constants.
// Index-moving ops (Gather, Unsqueeze, Squeeze, Concat, Slice, Reshape, Transpose, Flatten, Expand, Tile, Split, Cast,
// Identity) carry the batch marks of shape lists along; arithmetic on a marked entry gives an Unknown entry.
// Semantics follow the ONNX operator specs (opsets 7–21): attribute forms below opset 10/13/18 and input forms above.
using Topiary.Tensors;
using DataType = Topiary.Onnx.Proto.TensorProto.Types.DataType;

namespace Topiary.Onnx;

internal static class OnnxConstantFolder
{
    /// <summary>Op types this folder evaluates when every input is known.</summary>
    public static readonly HashSet<string> Foldable = new(StringComparer.Ordinal)
    {
        "Identity", "Dropout", "Cast", "CastLike", "Shape", "Size", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Reshape",
        "Transpose", "Flatten", "ConstantOfShape", "Range", "Expand", "Tile", "Split", "Add", "Sub", "Mul", "Div", "Pow", "Mod",
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not", "Min", "Max", "Sum", "Mean", "Where",
        "Sqrt", "Neg", "Reciprocal", "Exp", "Log", "Abs", "Floor", "Ceil", "Round", "Sign", "Relu", "Sigmoid", "Tanh",
        "ReduceProd", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceMean",
    };

    /// <summary>Evaluates <paramref name="node"/> on known inputs (null entries = omitted optional inputs).</summary>
    public static OnnxConstant[] Fold(OnnxNodeView node, IReadOnlyList<OnnxConstant?> inputs, long opset)
    {
        OnnxConstant In(int i) => i < inputs.Count && inputs[i] is { } c ? c : throw node.Invalid($"input {i} is required");
        OnnxConstant? Opt(int i) => i < inputs.Count ? inputs[i] : null;
        long[] Longs(OnnxConstant c, string what) => c.ToInt64s(node.Unsupported, what);

        switch (node.OpType)
        {
            case "Identity":
            case "Dropout":
                return [In(0)];
            case "Cast":
                return [Cast(In(0), (int)node.Int("to", (int)DataType.Float))];
            case "CastLike":
                return [Cast(In(0), In(1).DataType)];
            case "Shape":
            {
                var x = In(0);
                int rank = x.Shape.Length;
                int start = Clamp((int)node.Int("start", 0), rank), end = Clamp((int)node.Int("end", rank), rank);
                return [OnnxConstant.Int64([Math.Max(0, end - start)], x.Shape[start..Math.Max(start, end)].Select(d => (long)d))];
            }
            case "Size":
                return [OnnxConstant.Int64([], [In(0).Length])];
            case "Gather":
                return [Gather(node, In(0), In(1), (int)node.Int("axis", 0))];
            case "Unsqueeze":
            {
                var x = In(0);
                long[] axes = opset >= 13 ? Longs(In(1), "Unsqueeze axes") : node.Ints("axes") ?? throw node.Invalid("attribute 'axes' is missing");
                int rank = x.Shape.Length + axes.Length;
                var norm = axes.Select(a => (int)(a < 0 ? a + rank : a)).ToHashSet();
                if (norm.Count != axes.Length || norm.Any(a => a < 0 || a >= rank)) throw node.Invalid($"axes [{string.Join(", ", axes)}] are invalid for output rank {rank}");
                var shape = new int[rank];
                for (int d = 0, k = 0; d < rank; d++) shape[d] = norm.Contains(d) ? 1 : x.Shape[k++];
                return [WithShape(x, shape)];
            }
            case "Squeeze":
            {
                var x = In(0);
                long[]? axes = opset >= 13 ? (Opt(1) is { } a ? Longs(a, "Squeeze axes") : null) : node.Ints("axes");
                int rank = x.Shape.Length;
                var drop = axes is null ? Enumerable.Range(0, rank).Where(d => x.Shape[d] == 1).ToHashSet()
                    : axes.Select(a => (int)(a < 0 ? a + rank : a)).ToHashSet();
                if (drop.Any(d => d < 0 || d >= rank || x.Shape[d] != 1)) throw node.Invalid($"cannot squeeze axes [{string.Join(", ", drop)}] of shape {Tensor.ShapeString(x.Shape)}");
                return [WithShape(x, Enumerable.Range(0, rank).Where(d => !drop.Contains(d)).Select(d => x.Shape[d]).ToArray())];
            }
            case "Concat":
                return [Concat(node, inputs.Where(c => c is not null).Select(c => c!).ToArray(), (int)node.Int("axis", 0))];
            case "Slice":
            {
                var x = In(0);
                long[] starts, ends;
                long[]? axes, steps;
                if (opset >= 10)
                {
                    starts = Longs(In(1), "Slice starts");
                    ends = Longs(In(2), "Slice ends");
                    axes = Opt(3) is { } a ? Longs(a, "Slice axes") : null;
                    steps = Opt(4) is { } s ? Longs(s, "Slice steps") : null;
                }
                else
                {
                    starts = node.Ints("starts") ?? throw node.Invalid("attribute 'starts' is missing");
                    ends = node.Ints("ends") ?? throw node.Invalid("attribute 'ends' is missing");
                    axes = node.Ints("axes");
                    steps = null;
                }
                return [Slice(node, x, starts, ends, axes, steps)];
            }
            case "Reshape":
            {
                var x = In(0);
                long[] spec = opset >= 5 ? Longs(In(1), "Reshape shape") : node.Ints("shape") ?? throw node.Invalid("attribute 'shape' is missing");
                return [WithShape(x, ReshapeTarget(node, x.Shape, spec, node.Int("allowzero", 0) != 0))];
            }
            case "Flatten":
            {
                var x = In(0);
                int axis = (int)node.Int("axis", 1);
                if (axis < 0) axis += x.Shape.Length;
                if (axis < 0 || axis > x.Shape.Length) throw node.Invalid($"axis {node.Int("axis", 1)} is out of range for rank {x.Shape.Length}");
                int outer = x.Shape[..axis].Aggregate(1, (p, d) => p * d);
                return [WithShape(x, [outer, x.Length / Math.Max(1, outer) * (outer == 0 ? 0 : 1)])];
            }
            case "Transpose":
                return [Transpose(node, In(0), node.Ints("perm"))];
            case "ConstantOfShape":
            {
                var shape = Longs(In(0), "ConstantOfShape shape");
                if (shape.Any(d => d < 0 || d > int.MaxValue)) throw node.Invalid($"shape [{string.Join(", ", shape)}] is invalid");
                var value = node.TensorAttr("value") is { } v ? OnnxConstant.FromProto(v, "") : new OnnxConstant((int)DataType.Float, [1], [0]);
                var dims = shape.Select(d => (int)d).ToArray();
                long n = dims.Aggregate(1L, (p, d) => p * d);
                if (n > Array.MaxLength) throw node.Unsupported($"shape [{string.Join(", ", shape)}] is too large");
                var data = new double[n];
                Array.Fill(data, value.Length > 0 ? value.Data[0] : 0);
                return [new OnnxConstant(value.DataType, dims, data)];
            }
            case "Range":
            {
                double start = In(0).Data[0], limit = In(1).Data[0], delta = In(2).Data[0];
                if (delta == 0) throw node.Invalid("delta is 0");
                long n = Math.Max(0, (long)Math.Ceiling((limit - start) / delta));
                if (n > 1 << 24) throw node.Unsupported($"Range of {n} values is too large to fold");
                return [new OnnxConstant(In(0).DataType, [(int)n], Enumerable.Range(0, (int)n).Select(i => start + i * delta).ToArray())];
            }
            case "Expand":
            {
                var x = In(0);
                var target = Longs(In(1), "Expand shape").Select(d => (int)d).ToArray();
                var shape = BroadcastShape(node, x.Shape, target);
                return [Map(node, shape, [x], (v, _) => v[0], markIsCopy: true, x.DataType)];
            }
            case "Tile":
            {
                var x = In(0);
                var reps = Longs(In(1), "Tile repeats");
                if (reps.Length != x.Shape.Length) throw node.Invalid("repeats must have one entry per axis");
                var shape = x.Shape.Select((d, i) => d * (int)reps[i]).ToArray();
                return [Gathered(x, shape, idx =>
                {
                    int flat = 0;
                    for (int d = 0; d < shape.Length; d++) flat = flat * x.Shape[d] + idx[d] % x.Shape[d];
                    return flat;
                })];
            }
            case "Split":
                return Split(node, In(0), opset, Opt(1) is { } sp ? Longs(sp, "Split sizes") : null);
            case "Add": return [Binary(node, In(0), In(1), (a, b) => a + b)];
            case "Sub": return [Binary(node, In(0), In(1), (a, b) => a - b)];
            case "Mul": return [Binary(node, In(0), In(1), (a, b) => a * b)];
            case "Div":
            {
                bool integer = !In(0).IsFloat;
                return [Binary(node, In(0), In(1), (a, b) => integer ? Math.Truncate(a / b) : a / b)];
            }
            case "Mod":
            {
                // fmod = 1: C's fmod (sign of the dividend); fmod = 0: the sign of the divisor (Python's %).
                bool fmod = node.Int("fmod", 0) != 0;
                return [Binary(node, In(0), In(1), (a, b) => fmod ? a % b : a - b * Math.Floor(a / b))];
            }
            case "Pow": return [Binary(node, In(0), In(1), Math.Pow, In(0).DataType)];
            case "Equal": return [Binary(node, In(0), In(1), (a, b) => a == b ? 1 : 0, (int)DataType.Bool)];
            case "Less": return [Binary(node, In(0), In(1), (a, b) => a < b ? 1 : 0, (int)DataType.Bool)];
            case "Greater": return [Binary(node, In(0), In(1), (a, b) => a > b ? 1 : 0, (int)DataType.Bool)];
            case "LessOrEqual": return [Binary(node, In(0), In(1), (a, b) => a <= b ? 1 : 0, (int)DataType.Bool)];
            case "GreaterOrEqual": return [Binary(node, In(0), In(1), (a, b) => a >= b ? 1 : 0, (int)DataType.Bool)];
            case "And": return [Binary(node, In(0), In(1), (a, b) => a != 0 && b != 0 ? 1 : 0, (int)DataType.Bool)];
            case "Or": return [Binary(node, In(0), In(1), (a, b) => a != 0 || b != 0 ? 1 : 0, (int)DataType.Bool)];
            case "Min":
            case "Max":
            case "Sum":
            case "Mean":
            {
                var all = inputs.Where(c => c is not null).Select(c => c!).ToArray();
                if (all.Length == 0) throw node.Invalid("needs at least one input");
                var shape = all.Skip(1).Aggregate(all[0].Shape, (s, c) => BroadcastShape(node, s, c.Shape));
                Func<double[], double> f = node.OpType switch
                {
                    "Min" => v => v.Min(),
                    "Max" => v => v.Max(),
                    "Sum" => v => v.Sum(),
                    _ => v => v.Average(),
                };
                return [Map(node, shape, all, (v, _) => f(v), markIsCopy: false, all[0].DataType)];
            }
            case "Where":
            {
                var shape = BroadcastShape(node, BroadcastShape(node, In(0).Shape, In(1).Shape), In(2).Shape);
                return [Map(node, shape, [In(0), In(1), In(2)], (v, _) => v[0] != 0 ? v[1] : v[2], markIsCopy: false, In(1).DataType)];
            }
            case "Not": return [Unary(In(0), v => v == 0 ? 1 : 0)];
            case "Sqrt": return [Unary(In(0), Math.Sqrt)];
            case "Neg": return [Unary(In(0), v => -v)];
            case "Reciprocal": return [Unary(In(0), v => 1 / v)];
            case "Exp": return [Unary(In(0), Math.Exp)];
            case "Log": return [Unary(In(0), Math.Log)];
            case "Abs": return [Unary(In(0), Math.Abs)];
            case "Floor": return [Unary(In(0), Math.Floor)];
            case "Ceil": return [Unary(In(0), Math.Ceiling)];
            case "Round": return [Unary(In(0), v => Math.Round(v, MidpointRounding.ToEven))];
            case "Sign": return [Unary(In(0), v => Math.Sign(v))];
            case "Relu": return [Unary(In(0), v => Math.Max(0, v))];
            case "Sigmoid": return [Unary(In(0), v => 1 / (1 + Math.Exp(-v)))];
            case "Tanh": return [Unary(In(0), Math.Tanh)];
            case "ReduceProd":
            case "ReduceSum":
            case "ReduceMax":
            case "ReduceMin":
            case "ReduceMean":
                return [Reduce(node, In(0), Opt(1), opset)];
            default:
                throw node.Unsupported("cannot be computed at import");
        }
    }

    // ---- shapes ---------------------------------------------------------------------------------

    /// <summary>The target shape of an ONNX Reshape of <paramref name="input"/> (0 copies, one −1 is inferred).</summary>
    public static int[] ReshapeTarget(OnnxNodeView node, ReadOnlySpan<int> input, long[] spec, bool allowZero)
    {
        long total = 1;
        foreach (int d in input) total *= d;
        var shape = new int[spec.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < spec.Length; i++)
        {
            long v = spec[i];
            if (v == 0 && !allowZero)
            {
                if (i >= input.Length) throw node.Invalid($"shape [{string.Join(", ", spec)}] copies dim {i} of a rank-{input.Length} input");
                v = input[i];
            }
            if (v == -1)
            {
                if (infer >= 0) throw node.Invalid($"shape [{string.Join(", ", spec)}] has two -1 entries");
                infer = i;
                continue;
            }
            if (v < 0 || v > int.MaxValue) throw node.Invalid($"shape [{string.Join(", ", spec)}] has entry {v}");
            shape[i] = (int)v;
            known *= v;
        }
        if (infer >= 0)
        {
            if (known == 0 || total % known != 0) throw node.Invalid($"cannot reshape {Tensor.ShapeString(input)} into [{string.Join(", ", spec)}]");
            shape[infer] = (int)(total / known);
        }
        else if (known != total) throw node.Invalid($"cannot reshape {Tensor.ShapeString(input)} ({total} values) into {Tensor.ShapeString(shape)}");
        return shape;
    }

    public static int[] BroadcastShape(OnnxNodeView node, int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw node.Invalid($"shapes {Tensor.ShapeString(a)} and {Tensor.ShapeString(b)} do not broadcast");
            r[d] = da == 1 ? db : da;
        }
        return r;
    }

    private static int Clamp(int v, int rank) => Math.Clamp(v < 0 ? v + rank : v, 0, rank);

    private static OnnxConstant WithShape(OnnxConstant x, int[] shape) => new(x.DataType, shape, x.Data, x.Marks);

    private static OnnxConstant Cast(OnnxConstant x, int to)
    {
        var t = (DataType)to;
        bool integer = t is DataType.Int64 or DataType.Int32 or DataType.Int16 or DataType.Int8 or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64;
        var data = x.Data.Select(v => t == DataType.Bool ? (v != 0 ? 1 : 0) : integer ? Math.Truncate(v) : t == DataType.Float ? (float)v : v).ToArray();
        return new OnnxConstant(to, x.Shape, data, x.Marks);
    }

    private static OnnxConstant Unary(OnnxConstant x, Func<double, double> f) =>
        new(x.DataType, x.Shape, x.Data.Select(f).ToArray(), x.Marks?.Select(m => m == DimMark.Known ? m : DimMark.Unknown).ToArray());

    private static OnnxConstant Binary(OnnxNodeView node, OnnxConstant a, OnnxConstant b, Func<double, double, double> f, int? type = null) =>
        Map(node, BroadcastShape(node, a.Shape, b.Shape), [a, b], (v, _) => f(v[0], v[1]), markIsCopy: false, type ?? a.DataType);

    // Output element i = f(operand values at the broadcast positions). Marks: copied from operand 0 for pure copies,
    // else Unknown wherever an operand entry is marked.
    private static OnnxConstant Map(OnnxNodeView node, int[] shape, OnnxConstant[] operands, Func<double[], int, double> f, bool markIsCopy, int type)
    {
        long n = shape.Aggregate(1L, (p, d) => p * d);
        if (n > Array.MaxLength) throw node.Unsupported($"result {Tensor.ShapeString(shape)} is too large to fold");
        var data = new double[n];
        DimMark[]? marks = operands.Any(o => o.Marks is not null) ? new DimMark[n] : null;
        var idx = new int[shape.Length];
        var v = new double[operands.Length];
        for (int i = 0; i < n; i++)
        {
            int rest = i;
            for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = rest % shape[d]; rest /= shape[d]; }
            var mark = DimMark.Known;
            for (int k = 0; k < operands.Length; k++)
            {
                int j = OperandIndex(idx, operands[k].Shape);
                v[k] = operands[k].Data[j];
                var m = operands[k].Mark(j);
                if (m != DimMark.Known) mark = markIsCopy && k == 0 ? m : DimMark.Unknown;
            }
            data[i] = f(v, i);
            if (marks is not null) marks[i] = mark;
        }
        return new OnnxConstant(type, shape, data, marks);
    }

    private static int OperandIndex(int[] idx, int[] shape)
    {
        int off = idx.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
        return flat;
    }

    // Output element at multi-index idx = x.Data[source(idx)], marks carried along.
    private static OnnxConstant Gathered(OnnxConstant x, int[] shape, Func<int[], int> source)
    {
        long n = shape.Aggregate(1L, (p, d) => p * d);
        var data = new double[n];
        var marks = x.Marks is null ? null : new DimMark[n];
        var idx = new int[shape.Length];
        for (int i = 0; i < n; i++)
        {
            int rest = i;
            for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = rest % shape[d]; rest /= shape[d]; }
            int j = source(idx);
            data[i] = x.Data[j];
            if (marks is not null) marks[i] = x.Marks![j];
        }
        return new OnnxConstant(x.DataType, shape, data, marks);
    }

    private static OnnxConstant Gather(OnnxNodeView node, OnnxConstant data, OnnxConstant indices, int axis)
    {
        int rank = data.Shape.Length;
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw node.Invalid($"axis {axis} is out of range for rank {rank}");
        var ind = indices.ToInt64s(node.Unsupported, "Gather indices");
        int n = data.Shape[axis];
        foreach (long i in ind) if (i < -n || i >= n) throw node.Invalid($"index {i} is out of range for axis of size {n}");
        var shape = data.Shape[..axis].Concat(indices.Shape).Concat(data.Shape[(axis + 1)..]).ToArray();
        int ir = indices.Shape.Length;
        return Gathered(data, shape, idx =>
        {
            int q = 0;
            for (int d = 0; d < ir; d++) q = q * indices.Shape[d] + idx[axis + d];
            long pick = ind[q] < 0 ? ind[q] + n : ind[q];
            int flat = 0;
            for (int d = 0; d < rank; d++)
            {
                int i = d < axis ? idx[d] : d == axis ? (int)pick : idx[d - 1 + ir];
                flat = flat * data.Shape[d] + i;
            }
            return flat;
        });
    }

    private static OnnxConstant Concat(OnnxNodeView node, OnnxConstant[] parts, int axis)
    {
        if (parts.Length == 0) throw node.Invalid("needs at least one input");
        int rank = parts[0].Shape.Length;
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw node.Invalid($"axis {axis} is out of range for rank {rank}");
        var shape = (int[])parts[0].Shape.Clone();
        shape[axis] = 0;
        foreach (var p in parts)
        {
            if (p.Shape.Length != rank || Enumerable.Range(0, rank).Any(d => d != axis && p.Shape[d] != parts[0].Shape[d]))
                throw node.Invalid($"input shapes {string.Join(", ", parts.Select(q => Tensor.ShapeString(q.Shape)))} differ outside axis {axis}");
            shape[axis] += p.Shape[axis];
        }
        int outer = shape[..axis].Aggregate(1, (a, d) => a * d);
        var data = new List<double>();
        var marks = new List<DimMark>();
        for (int o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                int row = p.Length / Math.Max(1, outer);
                for (int k = 0; k < row; k++)
                {
                    data.Add(p.Data[o * row + k]);
                    marks.Add(p.Mark(o * row + k));
                }
            }
        }
        return new OnnxConstant(parts[0].DataType, shape, data.ToArray(), marks.ToArray());
    }

    private static OnnxConstant Slice(OnnxNodeView node, OnnxConstant x, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        int rank = x.Shape.Length;
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw node.Invalid("starts, ends, axes and steps must have the same length");
        var first = new int[rank];
        var step = Enumerable.Repeat(1, rank).ToArray();
        var shape = (int[])x.Shape.Clone();
        for (int k = 0; k < starts.Length; k++)
        {
            int a = (int)(axes[k] < 0 ? axes[k] + rank : axes[k]);
            if (a < 0 || a >= rank) throw node.Invalid($"axis {axes[k]} is out of range for rank {rank}");
            var (s, count) = SliceRange(starts[k], ends[k], steps[k], x.Shape[a], node);
            first[a] = s;
            step[a] = (int)steps[k];
            shape[a] = count;
        }
        return Gathered(x, shape, idx =>
        {
            int flat = 0;
            for (int d = 0; d < rank; d++) flat = flat * x.Shape[d] + first[d] + idx[d] * step[d];
            return flat;
        });
    }

    /// <summary>ONNX Slice on one axis of size <paramref name="dim"/>: the first index and the element count (the Slice layer's rule).</summary>
    public static (int First, int Count) SliceRange(long start, long end, long step, int dim, OnnxNodeView node)
    {
        if (step == 0) throw node.Invalid("a step is 0");
        var (first, count) = Nn.Slice.Range(dim, start, end, step);
        return ((int)first, count);
    }

    private static OnnxConstant Transpose(OnnxNodeView node, OnnxConstant x, long[]? perm)
    {
        int rank = x.Shape.Length;
        perm ??= Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw node.Invalid($"perm [{string.Join(", ", perm)}] is not a permutation of rank {rank}");
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        return Gathered(x, shape, idx =>
        {
            var src = new int[rank];
            for (int d = 0; d < rank; d++) src[perm[d]] = idx[d];
            int flat = 0;
            for (int d = 0; d < rank; d++) flat = flat * x.Shape[d] + src[d];
            return flat;
        });
    }

    private static OnnxConstant[] Split(OnnxNodeView node, OnnxConstant x, long opset, long[]? sizesInput)
    {
        int rank = x.Shape.Length;
        int axis = (int)node.Int("axis", 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw node.Invalid($"axis {axis} is out of range for rank {rank}");
        int[] sizes = OnnxSplitSizes.Resolve(node, x.Shape[axis], opset, sizesInput);
        var result = new OnnxConstant[sizes.Length];
        int offset = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            long[] axes = [axis];
            result[i] = Slice(node, x, [offset], [offset + sizes[i]], axes, null);
            offset += sizes[i];
        }
        return result;
    }

    private static OnnxConstant Reduce(OnnxNodeView node, OnnxConstant x, OnnxConstant? axesInput, long opset)
    {
        int rank = x.Shape.Length;
        bool axesAsInput = node.OpType == "ReduceSum" ? opset >= 13 : opset >= 18;
        long[]? axes = axesAsInput ? axesInput?.ToInt64s(node.Unsupported, "axes") : node.Ints("axes");
        bool keep = node.Int("keepdims", 1) != 0;
        var set = axes is null || axes.Length == 0
            ? (node.Int("noop_with_empty_axes", 0) != 0 ? [] : Enumerable.Range(0, rank).ToHashSet())
            : axes.Select(a => (int)(a < 0 ? a + rank : a)).ToHashSet();
        var outShape = Enumerable.Range(0, rank).Where(d => keep || !set.Contains(d)).Select(d => set.Contains(d) ? 1 : x.Shape[d]).ToArray();
        var keptShape = Enumerable.Range(0, rank).Select(d => set.Contains(d) ? 1 : x.Shape[d]).ToArray();
        long n = keptShape.Aggregate(1L, (p, d) => p * d);
        var groups = new List<double>[n];
        for (int i = 0; i < n; i++) groups[i] = [];
        var idx = new int[rank];
        for (int i = 0; i < x.Length; i++)
        {
            int rest = i;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rest % x.Shape[d]; rest /= x.Shape[d]; }
            int o = 0;
            for (int d = 0; d < rank; d++) o = o * keptShape[d] + (set.Contains(d) ? 0 : idx[d]);
            groups[o].Add(x.Data[i]);
        }
        Func<List<double>, double> f = node.OpType switch
        {
            "ReduceProd" => g => g.Aggregate(1.0, (p, v) => p * v),
            "ReduceSum" => g => g.Sum(),
            "ReduceMax" => g => g.Count == 0 ? double.NegativeInfinity : g.Max(),
            "ReduceMin" => g => g.Count == 0 ? double.PositiveInfinity : g.Min(),
            _ => g => g.Count == 0 ? double.NaN : g.Average(),
        };
        var marks = x.Marks is null ? null : Enumerable.Repeat(DimMark.Unknown, (int)n).ToArray();
        return new OnnxConstant(x.DataType, outShape, groups.Select(f).ToArray(), marks);
    }
}
