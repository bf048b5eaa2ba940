// Shape layers (Permute — axes that stay in order merged —, Reshape, Flatten with an axis, Pad, ReduceMean, Slice): finite-difference gradient checks
// for every mode, forward values against naive index loops written here and hand-computed cases, and the spec and
// shape errors with the offending values in the message.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.ActivationTests;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class ShapeOpsTests
{
    // ---- Permute --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 2, 4, 5, 3 }, new[] { 0, 3, 1, 2 })]   // NHWC → NCHW
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]   // NCHW → NHWC
    [InlineData(new[] { 3, 4, 5 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 3, 4 }, new[] { 1, 0 })]
    [InlineData(new[] { 6 }, new[] { 0 })]
    [InlineData(new[] { 1, 3, 4, 2, 5 }, new[] { 0, 2, 1, 3, 4 })]   // a channel shuffle: axes 3 and 4 merge (rows of H·W)
    [InlineData(new[] { 2, 3, 4, 5, 2 }, new[] { 2, 3, 0, 1, 4 })]   // two merged pairs and a lone axis
    [InlineData(new[] { 2, 3, 4 }, new[] { 0, 1, 2 })]               // the identity: one table
    [InlineData(new[] { 3, 1, 4 }, new[] { 1, 0, 2 })]
    public void Permute_gradient_and_values(int[] shape, int[] perm)
    {
        var x = Randn(1, shape);
        Check(new Permute(perm), x);
        var y = new Permute(perm).Forward(x, false);
        Assert.Equal(perm.Select(p => shape[p]).ToArray(), y.Shape.ToArray());
        var outShape = y.Shape.ToArray();
        for (int o = 0; o < y.Length; o++)
        {
            var oi = Unravel(o, outShape);
            var ii = new int[shape.Length];
            for (int k = 0; k < perm.Length; k++) ii[perm[k]] = oi[k];
            Assert.Equal(x[Ravel(ii, shape)], y[o]);
        }
    }

    [Fact]
    public void Permute_NHWC_to_NCHW_and_back_is_the_identity()
    {
        var x = Randn(2, 2, 4, 5, 3);
        var nchw = new Permute(0, 3, 1, 2).Forward(x, false);
        Assert.Equal([2, 3, 4, 5], nchw.Shape.ToArray());
        Assert.Equal(x.Data, new Permute(0, 2, 3, 1).Forward(nchw, false).Data);
    }

    [Fact]
    public void Permute_refuses_a_non_permutation_and_a_wrong_rank()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Permute(0, 2, 2));
        Assert.Contains("[0, 2, 2]", ex.Message);
        Assert.Contains("2 appears twice", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Permute(0, 3, 1));
        Assert.Contains("entry 1 is 3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Permute(1, -1));
        Assert.Contains("entry 1 is -1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Permute(0, 2, 1).Forward(new Tensor(2, 3), false));
        Assert.Contains("rank-3", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    // ---- Reshape and Flatten --------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 2, 3, 4, 5 }, new long[] { 0, -1 }, new[] { 2, 60 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new long[] { 0, 4, -1 }, new[] { 2, 4, 15 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new long[] { -1 }, new[] { 120 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new long[] { 0, 0, 20 }, new[] { 2, 3, 20 })]
    [InlineData(new[] { 2, 60 }, new long[] { 0, 3, 4, 5 }, new[] { 2, 3, 4, 5 })]
    [InlineData(new[] { 2, 60 }, new long[] { -1, 1, 5, 4, 3 }, new[] { 2, 1, 5, 4, 3 })]
    public void Reshape_gradient_and_shape(int[] shape, long[] spec, int[] expected)
    {
        var x = Randn(3, shape);
        Check(new Reshape(spec), x);
        var y = new Reshape(spec).Forward(x, false);
        Assert.Equal(expected, y.Shape.ToArray());
        Assert.Same(x.Data, y.Data);   // a view
    }

    [Fact]
    public void Reshape_with_a_copied_batch_dimension_works_for_any_batch_size()
    {
        var layer = new Reshape([0, 512, 7, 7]);
        foreach (int n in new[] { 1, 3, 8 })
            Assert.Equal([n, 512, 7, 7], layer.Forward(new Tensor(n, 512 * 49), false).Shape.ToArray());
        var flat = new Reshape([0, -1]);
        foreach (int n in new[] { 1, 5 })
            Assert.Equal([n, 512 * 49], flat.Forward(new Tensor(n, 512, 7, 7), false).Shape.ToArray());
    }

    [Fact]
    public void Reshape_refuses_bad_specs_and_mismatched_inputs()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Reshape([0, -1, -1]));
        Assert.Contains("[0, -1, -1]", ex.Message);
        Assert.Contains("more than one -1 (positions 1 and 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Reshape([2, -3]));
        Assert.Contains("-3 at position 1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Reshape([0, 7]).Forward(new Tensor(2, 6), false));
        Assert.Contains("14 elements", ex.Message);
        Assert.Contains("[2, 6]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Reshape([0, 5, -1]).Forward(new Tensor(2, 6), false));
        Assert.Contains("divisible by 10", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Reshape([4, 0, 0]).Forward(new Tensor(2, 6), false));
        Assert.Contains("shape entry 2 is 0", ex.Message);
    }

    [Theory]
    [InlineData(1, new[] { 2, 60 })]
    [InlineData(0, new[] { 1, 120 })]
    [InlineData(2, new[] { 6, 20 })]
    [InlineData(-1, new[] { 24, 5 })]
    [InlineData(4, new[] { 120, 1 })]
    [InlineData(-4, new[] { 1, 120 })]
    public void Flatten_axis_gradient_and_shape(int axis, int[] expected)
    {
        var x = Randn(4, 2, 3, 4, 5);
        var layer = axis == 1 ? new Flatten() : new Flatten(axis);
        Check(layer, x);
        var y = layer.Forward(x, false);
        Assert.Equal(expected, y.Shape.ToArray());
        Assert.Same(x.Data, y.Data);
    }

    [Fact]
    public void Flatten_default_is_axis_1_and_an_out_of_range_axis_names_the_rank()
    {
        Assert.Equal(1, new Flatten().Axis);
        Assert.Equal("Flatten()", new Flatten(1).ToString());
        var ex = Assert.Throws<ArgumentException>(() => new Flatten(5).Forward(new Tensor(2, 3, 4, 5), false));
        Assert.Contains("Flatten(axis=5)", ex.Message);
        Assert.Contains("[2, 3, 4, 5]", ex.Message);
        Assert.Throws<ArgumentException>(() => new Flatten(-5).Forward(new Tensor(2, 3, 4, 5), false));
    }

    // ---- Pad ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(PadMode.Constant, new float[] { 9, 9, 1, 2, 3, 4, 9 })]
    [InlineData(PadMode.Reflect, new float[] { 3, 2, 1, 2, 3, 4, 3 })]
    [InlineData(PadMode.Edge, new float[] { 1, 1, 1, 2, 3, 4, 4 })]
    public void Pad_1d_by_hand(PadMode mode, float[] expected)
    {
        var y = new Pad([2, 1], mode, 9f).Forward(new Tensor([1f, 2f, 3f, 4f], 4), false);
        Assert.Equal(expected, y.Data);
    }

    [Theory]
    [InlineData(PadMode.Constant, new float[] { 2, 3, 4, 0, 0 })]
    [InlineData(PadMode.Reflect, new float[] { 2, 3, 4, 3, 2 })]
    [InlineData(PadMode.Edge, new float[] { 2, 3, 4, 4, 4 })]
    public void Pad_negative_begin_crops_first(PadMode mode, float[] expected)
    {
        var y = new Pad([-1, 2], mode).Forward(new Tensor([1f, 2f, 3f, 4f], 4), false);
        Assert.Equal(expected, y.Data);
    }

    [Fact]
    public void Pad_2d_reflect_by_hand()
    {
        // [[1 2 3]
        //  [4 5 6]] padded by one row before and one column on each side
        var y = new Pad([1, 1, 0, 1], PadMode.Reflect).Forward(new Tensor([1f, 2f, 3f, 4f, 5f, 6f], 2, 3), false);
        Assert.Equal([3, 5], y.Shape.ToArray());
        Assert.Equal([5f, 4f, 5f, 6f, 5f, 2f, 1f, 2f, 3f, 2f, 5f, 4f, 5f, 6f, 5f], y.Data);
    }

    public static TheoryData<PadMode, int[], long[]> PadCases => new()
    {
        { PadMode.Constant, [2, 3, 4, 5], [0, 0, 1, 2, 0, 0, 2, 1] },
        { PadMode.Reflect, [2, 3, 4, 5], [0, 0, 1, 2, 0, 0, 2, 3] },
        { PadMode.Edge, [2, 3, 4, 5], [0, 0, 3, 2, 0, 0, 2, 4] },
        { PadMode.Constant, [3, 6], [-1, 2, 1, -2] },
        { PadMode.Reflect, [3, 6], [1, -1, -1, 2] },
        { PadMode.Edge, [3, 6], [-2, 3, 2, -1] },
        { PadMode.Reflect, [2, 3, 4], [1, 2, 3, 1, 2, 3] },   // every axis, batch too
    };

    [Theory]
    [MemberData(nameof(PadCases))]
    public void Pad_gradient_and_values(PadMode mode, int[] shape, long[] pads)
    {
        var x = Randn(5, shape);
        Check(new Pad(pads, mode, 0.75f), x);
        var y = new Pad(pads, mode, 0.75f).Forward(x, false);
        var reference = NaivePad(x, pads, mode, 0.75f, out var outShape);
        Assert.Equal(outShape, y.Shape.ToArray());
        Assert.Equal(reference, y.Data);
    }

    [Fact]
    public void Pad_refuses_bad_pads_and_too_large_reflections()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Pad([1, 2, 3]));
        Assert.Contains("[1, 2, 3]", ex.Message);
        Assert.Contains("3 values", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Pad([1, 1, 1, 1]).Forward(new Tensor(2, 3, 4), false));
        Assert.Contains("rank-2 tensor (4 pads)", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Pad([0, 3, 0, 0], PadMode.Reflect).Forward(new Tensor(2, 3), false));
        Assert.Contains("axis 1", ex.Message);
        Assert.Contains("reflect pads 3, 0", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Pad([0, -2, 0, -2]).Forward(new Tensor(2, 3), false));
        Assert.Contains("pads -2 and -2 crop it", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Pad([0, -3, 0, 1], PadMode.Edge).Forward(new Tensor(2, 3), false));
        Assert.Contains("non-empty after cropping", ex.Message);
    }

    // ---- ReduceMean -----------------------------------------------------------------------------------------

    public static TheoryData<int[], int[], bool> ReduceCases => new()
    {
        { [2, 3, 4, 5], [2, 3], true },      // global average pool
        { [2, 3, 4, 5], [2, 3], false },
        { [2, 3, 4, 5], [1], false },
        { [2, 3, 4, 5], [0, 2], true },
        { [2, 3, 4, 5], [-1, 0], false },
        { [2, 3, 4, 5], [], true },          // all axes
        { [2, 3, 4, 5], [], false },         // all axes, rank 0
        { [4, 1, 6], [1], true },            // a size-1 axis
        { [4, 7], [0], true },
    };

    [Theory]
    [MemberData(nameof(ReduceCases))]
    public void ReduceMean_gradient_and_values(int[] shape, int[] axes, bool keepDims)
    {
        var x = Randn(6, shape);
        Check(new ReduceMean(axes, keepDims), x);
        var y = new ReduceMean(axes, keepDims).Forward(x, false);
        var reference = NaiveMean(x, axes, keepDims, out var outShape);
        Assert.Equal(outShape, y.Shape.ToArray());
        for (int i = 0; i < y.Length; i++) Assert.Equal(reference[i], y[i], 5);
    }

    [Fact]
    public void ReduceMean_refuses_repeated_and_out_of_range_axes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ReduceMean([1, 1]));
        Assert.Contains("lists axis 1 twice", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ReduceMean([4]).Forward(new Tensor(2, 3, 4, 5), false));
        Assert.Contains("axis 4 out of range", ex.Message);
        Assert.Contains("[2, 3, 4, 5]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ReduceMean([1, -3]).Forward(new Tensor(2, 3, 4, 5), false));
        Assert.Contains("[1, -3]", ex.Message);
    }

    // ---- Slice ----------------------------------------------------------------------------------------------

    public static TheoryData<int[], long[], long[], long[]?, long[]?> SliceCases => new()
    {
        { [4, 6], [1, 0], [3, 5], null, null },
        { [4, 6], [-1], [long.MinValue], [1], [-1] },                      // reverse axis 1
        { [4, 6], [5, -2], [0, long.MinValue], [1, 0], [-2, -1] },
        { [2, 3, 4, 5], [1, -100], [long.MaxValue, 100], [-1, 2], [2, 1] },  // clamping
        { [2, 3, 4, 5], [3, 2], [0, -5], [3, 1], [-3, -1] },
        { [2, 3, 4, 5], [0], [2], [0], [5] },
        { [2, 3, 4, 5], [2], [2], [1], [1] },                               // empty
        { [7], [6], [-8], null, [-2] },
    };

    [Theory]
    [MemberData(nameof(SliceCases))]
    public void Slice_gradient_and_values(int[] shape, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        var x = Randn(7, shape);
        var layer = new Slice(starts, ends, axes, steps);
        Check(layer, x);
        var y = layer.Forward(x, false);
        var reference = NaiveSlice(x, starts, ends, axes, steps, out var outShape);
        Assert.Equal(outShape, y.Shape.ToArray());
        Assert.Equal(reference, y.Data);
    }

    [Fact]
    public void Slice_by_hand()
    {
        var x = new Tensor([0f, 1f, 2f, 3f, 4f, 5f, 6f], 7);
        Assert.Equal([6f, 4f, 2f, 0f], new Slice([-1], [long.MinValue], null, [-2]).Forward(x, false).Data);
        Assert.Equal([2f, 3f, 4f, 5f, 6f], new Slice([2], [long.MaxValue]).Forward(x, false).Data);
        Assert.Equal([5f, 4f], new Slice([-2], [-4], [0], [-1]).Forward(x, false).Data);
        Assert.Equal([1f, 4f], new Slice([1], [6], [-1], [3]).Forward(x, false).Data);
    }

    [Fact]
    public void Slice_refuses_bad_specs()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Slice([0], [1], [0], [0]));
        Assert.Contains("has a 0 at position 0", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Slice([0, 1], [1], null, null));
        Assert.Contains("same length", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Slice([0, 1], [1, 2], [2, 2], null));
        Assert.Contains("lists axis 2 twice", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Slice([0], [1], [3], null).Forward(new Tensor(2, 3), false));
        Assert.Contains("axis 3 out of range", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Slice([0, 0], [1, 1], [1, -1], null).Forward(new Tensor(2, 3), false));
        Assert.Contains("[1, -1]", ex.Message);
    }

    // ---- every new layer: the Backward contract -------------------------------------------------------------

    [Fact]
    public void Backward_requires_a_training_forward_runs_once_and_checks_the_gradient_shape()
    {
        var modules = new Module[]
        {
            new LeakyReLU(), new Hardtanh(), new Sigmoid(), new Tanh(), new HardSigmoid(), new HardSwish(),
            new Softmax(1), new LogSoftmax(0), new Permute(1, 0), new Reshape([-1]), new Flatten(0), new Pad([1, 0, 0, 2]),
            new ReduceMean([1]), new Slice([1], [3], [1], null),
        };
        foreach (var m in modules)
        {
            Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(2, 4)));
            var y = m.Forward(Randn(1, 2, 4), training: false);
            Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(y.Shape.ToArray())));
            y = m.Forward(Randn(1, 2, 4), training: true);
            var ex = Assert.Throws<ArgumentException>(() => m.Backward(new Tensor(3, 5)));
            Assert.Contains("gradOutput", ex.Message);
            Assert.Equal([2, 4], m.Backward(new Tensor(y.Shape.ToArray())).Shape.ToArray());
            var again = Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(y.Shape.ToArray())));
            Assert.Contains("training-mode Forward", again.Message);
        }
    }

    // ---- naive references -----------------------------------------------------------------------------------

    // Crop by the negative pads, then extend by the positive ones, element by element.
    private static float[] NaivePad(Tensor x, long[] pads, PadMode mode, float value, out int[] outShape)
    {
        var shape = x.Shape.ToArray();
        int r = shape.Length;
        var lo = new int[r];
        var kept = new int[r];
        var before = new int[r];
        outShape = new int[r];
        for (int a = 0; a < r; a++)
        {
            lo[a] = (int)Math.Max(0, -pads[a]);
            kept[a] = shape[a] - lo[a] - (int)Math.Max(0, -pads[r + a]);
            before[a] = (int)Math.Max(0, pads[a]);
            outShape[a] = kept[a] + before[a] + (int)Math.Max(0, pads[r + a]);
        }
        var y = new float[outShape.Aggregate(1, (p, d) => p * d)];
        for (int o = 0; o < y.Length; o++)
        {
            var oi = Unravel(o, outShape);
            var ii = new int[r];
            bool outside = false;
            for (int a = 0; a < r; a++)
            {
                int j = oi[a] - before[a];
                if (j < 0 || j >= kept[a])
                {
                    if (mode == PadMode.Constant) outside = true;
                    else if (mode == PadMode.Edge) j = Math.Clamp(j, 0, kept[a] - 1);
                    else while (j < 0 || j >= kept[a]) j = j < 0 ? -j : 2 * (kept[a] - 1) - j;
                }
                ii[a] = lo[a] + j;
            }
            y[o] = outside ? value : x[Ravel(ii, shape)];
        }
        return y;
    }

    // Sum into the output element with the reduced indices dropped (or set to 0), in double.
    private static double[] NaiveMean(Tensor x, int[] axes, bool keepDims, out int[] outShape)
    {
        var shape = x.Shape.ToArray();
        int r = shape.Length;
        var reduced = new bool[r];
        foreach (int a in axes) reduced[a < 0 ? a + r : a] = true;
        if (axes.Length == 0) Array.Fill(reduced, true);
        var keptShape = Enumerable.Range(0, r).Select(a => reduced[a] ? 1 : shape[a]).ToArray();
        outShape = keepDims ? keptShape : Enumerable.Range(0, r).Where(a => !reduced[a]).Select(a => shape[a]).ToArray();
        var sum = new double[keptShape.Aggregate(1, (p, d) => p * d)];
        var count = new int[sum.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var idx = Unravel(i, shape);
            for (int a = 0; a < r; a++) if (reduced[a]) idx[a] = 0;
            int o = Ravel(idx, keptShape);
            sum[o] += x[i];
            count[o]++;
        }
        return sum.Select((s, o) => s / count[o]).ToArray();
    }

    // Walk each axis from its normalised, clamped start towards its end with the step.
    private static float[] NaiveSlice(Tensor x, long[] starts, long[] ends, long[]? axes, long[]? steps, out int[] outShape)
    {
        var shape = x.Shape.ToArray();
        int r = shape.Length;
        var picks = Enumerable.Range(0, r).Select(a => Enumerable.Range(0, shape[a]).ToList()).ToArray();
        for (int k = 0; k < starts.Length; k++)
        {
            int a = (int)(axes is null ? k : axes[k] < 0 ? axes[k] + r : axes[k]);
            long step = steps is null ? 1 : steps[k], d = shape[a];
            long start = starts[k] < 0 ? starts[k] + d : starts[k], end = ends[k] < 0 ? ends[k] + d : ends[k];
            start = step > 0 ? Math.Clamp(start, 0, d) : Math.Clamp(start, 0, d - 1);
            end = step > 0 ? Math.Clamp(end, 0, d) : Math.Clamp(end, -1, d - 1);
            picks[a] = [];
            for (long i = start; step > 0 ? i < end : i > end; i += step) picks[a].Add((int)i);
        }
        outShape = picks.Select(p => p.Count).ToArray();
        var y = new float[outShape.Aggregate(1, (p, d) => p * d)];
        for (int o = 0; o < y.Length; o++)
        {
            var oi = Unravel(o, outShape);
            y[o] = x[Ravel(Enumerable.Range(0, r).Select(a => picks[a][oi[a]]).ToArray(), shape)];
        }
        return y;
    }
}
