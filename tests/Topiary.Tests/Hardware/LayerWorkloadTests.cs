// LayerWorkloadTests: counts on a hand-built 4x6 weight (non-zeros, non-empty rows/columns, kept aligned groups for
// widths 1..7 including partial last groups), relative-index fillers, Shrunk (empty rows and all-zero input units
// removed), argument errors, and FromModel on LeNet-5 / LeNet-300-100 (shapes and conv positions 24·24, 8·8).
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Hardware;

public class LayerWorkloadTests
{
    // Rows: 3 non-zeros, empty, 2 non-zeros, dense.
    internal static readonly float[] W4x6 =
    [
        1, 0, 0, 2, 0, 3,
        0, 0, 0, 0, 0, 0,
        0, 0, 4, 5, 0, 0,
        6, 7, 8, 9, 1, 1,
    ];

    internal static LayerWorkload Fc4x6() => LayerWorkload.FromWeight("fc", LayerKind.Fc, W4x6, 4, 6, 1);

    [Fact]
    public void Counts_of_the_hand_built_weight()
    {
        var w = Fc4x6();
        Assert.Equal(11, w.NonZeros);
        Assert.Equal(3, w.NonEmptyRows);
        Assert.Equal(6, w.NonEmptyColumns);
        Assert.Equal(24, w.Weights);
        Assert.Equal(24, w.DenseMacs);
        Assert.Equal(6, w.InputElements);
        Assert.Equal(4, w.OutputElements);
        Assert.Equal(1 - 11 / 24.0, w.Sparsity, 12);
        Assert.True(w.IsNonZero(3, 5));
        Assert.False(w.IsNonZero(1, 2));
    }

    [Theory]
    [InlineData(1, 11)] // every non-zero
    [InlineData(2, 7)]  // row0 3, row2 1 ([4,5]), row3 3
    [InlineData(3, 6)]  // row0 2, row2 2 ([0,0,4] and [5,0,0]), row3 2
    [InlineData(4, 5)]  // row0 2 ([1,0,0,2], partial [0,3]), row2 1 (partial [0,0] dropped), row3 2
    [InlineData(5, 5)]  // row0 2 (partial [3]), row2 1, row3 2
    [InlineData(6, 3)]
    [InlineData(7, 3)]  // one partial group per row
    public void Kept_groups_by_hand(int width, long expected)
    {
        var w = Fc4x6();
        Assert.Equal(expected, w.KeptGroups(width));
        Assert.Equal(expected, w.KeptGroups(width)); // cached value
        Assert.Equal((6 + width - 1) / width, w.GroupsPerRow(width));
    }

    [Fact]
    public void Kept_groups_match_a_direct_count_on_random_patterns()
    {
        var rng = new Random(11);
        foreach (int cols in new[] { 1, 7, 16, 33 })
        {
            var weight = new float[5 * cols];
            for (int i = 0; i < weight.Length; i++) weight[i] = rng.NextDouble() < 0.3 ? 1 : 0;
            var w = LayerWorkload.FromWeight("x", LayerKind.Fc, weight, 5, cols, 1);
            foreach (int width in new[] { 1, 2, 3, 4, 8, 16 })
            {
                long expected = 0;
                for (int r = 0; r < 5; r++)
                    for (int g = 0; g * width < cols; g++)
                        if (Enumerable.Range(g * width, Math.Min(width, cols - g * width)).Any(c => weight[r * cols + c] != 0)) expected++;
                Assert.Equal(expected, w.KeptGroups(width));
            }
        }
    }

    [Fact]
    public void Relative_fillers_follow_deep_compression_gaps()
    {
        var weight = new float[2 * 600];
        weight[0] = 1; weight[599] = 1;          // row 0: zero run 598 → 598 >> 8 = 2 fillers
        weight[600 + 300] = 1;                   // row 1: zero run 300 → 1 filler (runs restart per row)
        weight[600 + 556] = 1;                   // zero run 255 → 0 fillers
        var w = LayerWorkload.FromWeight("x", LayerKind.Fc, weight, 2, 600, 1);
        Assert.Equal(3, w.RelativeFillers(8));
        Assert.Equal(0, Fc4x6().RelativeFillers(8));
        Assert.Equal(2, Fc4x6().RelativeFillers(1)); // row0 zero runs 0,2,1 → 1+0; row2 run 2 → 1; row3 none
    }

    [Fact]
    public void Shrunk_removes_empty_rows_and_all_zero_input_units()
    {
        // Conv-like: 3 filters, 3 input channels of 2 columns each; channel 1 unused, filter 2 empty.
        float[] weight =
        [
            1, 0, 0, 0, 2, 0,
            0, 3, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0,
        ];
        var w = LayerWorkload.FromWeight("c", LayerKind.Conv, weight, 3, 6, 10, columnsPerInput: 2, inputElements: 300);
        var s = w.Shrunk();
        Assert.Equal((2, 4, 10), (s.Rows, s.Cols, s.Positions));
        Assert.Equal(3, s.NonZeros);
        Assert.Equal(200, s.InputElements);
        Assert.True(s.IsNonZero(0, 0) && s.IsNonZero(0, 2) && s.IsNonZero(1, 1));
    }

    [Fact]
    public void FromWeight_validates_arguments()
    {
        Assert.Throws<ArgumentException>(() => LayerWorkload.FromWeight("x", LayerKind.Fc, new float[5], 2, 3, 1));
        Assert.Throws<ArgumentException>(() => LayerWorkload.FromWeight("x", LayerKind.Fc, new float[6], 2, 3, 4));
        Assert.Throws<ArgumentException>(() => LayerWorkload.FromWeight(" ", LayerKind.Fc, new float[6], 2, 3, 1));
        Assert.Throws<ArgumentException>(() => LayerWorkload.FromWeight("x", LayerKind.Conv, new float[6], 2, 3, 1, columnsPerInput: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerWorkload.FromWeight("x", LayerKind.Fc, new float[0], 0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fc4x6().KeptGroups(0));
    }

    [Fact]
    public void FromModel_on_LeNet5_gives_shapes_and_positions()
    {
        var model = LeNet5.Create(1);
        var layers = LayerWorkload.FromModel(model, [1, 28, 28]);
        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], layers.Select(l => l.Name));
        Assert.Equal([LayerKind.Conv, LayerKind.Conv, LayerKind.Fc, LayerKind.Fc], layers.Select(l => l.Kind));
        Assert.Equal([(20, 25, 576), (50, 500, 64), (500, 800, 1), (10, 500, 1)], layers.Select(l => (l.Rows, l.Cols, l.Positions)));
        Assert.Equal([784L, 20 * 12 * 12, 800, 500], layers.Select(l => l.InputElements));
        Assert.Equal([25, 25, 1, 1], layers.Select(l => l.ColumnsPerInput));
        long macs = layers.Sum(l => l.DenseMacs);
        Assert.Equal(OpCounter.TotalMacs(model, [1, 28, 28]), macs);
        Assert.All(layers, l => Assert.Equal(l.Weights, l.NonZeros)); // Xavier init has no exact zeros
    }

    [Fact]
    public void FromModel_counts_pruned_weights_and_rejects_bad_shapes()
    {
        var model = (Sequential)ModelZoo.Create("lenet-300-100", 2);
        var fc1 = (Linear)model.NamedModules().Single(m => m.Name == "fc1").Module;
        for (int i = 0; i < 784; i++) fc1.Weight.Value.Data[i] = 0; // first neuron empty
        var layers = LayerWorkload.FromModel(model, [1, 28, 28]);
        Assert.Equal([(300, 784), (100, 300), (10, 100)], layers.Select(l => (l.Rows, l.Cols)));
        Assert.Equal(299, layers[0].NonEmptyRows);
        Assert.Equal(300L * 784 - 784, layers[0].NonZeros);
        Assert.Throws<ArgumentException>(() => LayerWorkload.FromModel(model, [1, 20, 20]));
    }
}
