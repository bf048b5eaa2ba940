// FormatChooserTests: the plan's per-layer format rule picks the structured format a pruning pattern was made for
// (aligned groups → SIMD-group CSR, aligned blocks → block-sparse, scattered → CSR, dense → dense), honours forced and
// per-layer formats, and measurement picks one of the candidates; a group-pruned model's plan equals Module.Forward.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime;
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Runtime;

public class FormatChooserTests
{
    private const int Rows = 40, Cols = 72;

    private static float[] Weight(SparsityPattern pattern, double sparsity) => SparsityPatterns.RandomMatrix(Rows, Cols, pattern, sparsity, 11);

    [Fact]
    public void Aligned_groups_run_as_simd_groups_of_the_widest_fitting_width()
    {
        var w = FormatChooser.Choose(Weight(SparsityPattern.Group(SparseWeightOptions.HostLanes >= 8 ? 8 : 4), 0.8), Rows, Cols, 0, 1, PlanOptions.Default, "fc");
        var g = Assert.IsType<SimdGroupWeight>(w);
        Assert.Equal(Math.Min(8, SparseWeightOptions.HostLanes), g.Width);
    }

    [Fact]
    public void Aligned_blocks_run_block_sparse_scattered_weights_run_csr_and_dense_stays_dense()
    {
        var block = FormatChooser.Choose(Weight(SparsityPattern.Block(4, 0), 0.5), Rows, Cols, 0, 1, PlanOptions.Default, "fc");
        Assert.Equal(SparseFormat.Block, block.Format);
        // Scattered: sell for a Linear layer at batch ≤ 4 on AVX-512 hosts, else csr (always csr for conv and larger batches).
        var sellOrCsr = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SparseFormat.Sell : SparseFormat.Csr;
        Assert.Equal(sellOrCsr, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.92), Rows, Cols, 0, 1, PlanOptions.Default, "fc").Format);
        // At 50% sparsity only sell pays (csr's threshold is 35% density).
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SparseFormat.Sell : SparseFormat.Dense,
            FormatChooser.Choose(Weight(SparsityPattern.Element, 0.5), Rows, Cols, 0, 4, PlanOptions.Default, "fc").Format);
        Assert.Equal(SparseFormat.Csr, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.92), Rows, Cols, 0, 8, PlanOptions.Default, "fc").Format);
        Assert.Equal(SparseFormat.Csr, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.92), Rows, Cols, 9, 1, PlanOptions.Default, "c").Format);
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.3), Rows, Cols, 0, 1, PlanOptions.Default, "fc").Format);
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.5), Rows, Cols, 0, 8, PlanOptions.Default, "fc").Format);
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(Weight(SparsityPattern.Element, 0), Rows, Cols, 0, 1, PlanOptions.Default, "fc").Format);
        // Conv layers stay dense when sparse conv is off.
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(Weight(SparsityPattern.Element, 0.92), Rows, Cols, 9, 1, new PlanOptions { SparseConv = false }, "c").Format);
    }

    [Fact]
    public void Forced_and_per_layer_formats_win_and_unpruned_layers_stay_dense_under_a_forced_sparse_format()
    {
        var sparse = Weight(SparsityPattern.Element, 0.9);
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(sparse, Rows, Cols, 0, 1, PlanOptions.AllDense, "fc").Format);
        Assert.Equal(SparseFormat.Csr16, FormatChooser.Choose(sparse, Rows, Cols, 0, 1, PlanOptions.AllSparse(SparseFormat.Csr16), "fc").Format);
        Assert.Equal(SparseFormat.Dense, FormatChooser.Choose(Weight(SparsityPattern.Element, 0), Rows, Cols, 0, 1, PlanOptions.AllSparse(SparseFormat.Csr), "fc").Format);
        var perLayer = new PlanOptions { Format = SparseFormat.Csr, LayerFormats = new Dictionary<string, SparseFormat> { ["fc"] = SparseFormat.Block } };
        Assert.Equal(SparseFormat.Block, FormatChooser.Choose(sparse, Rows, Cols, 0, 1, perLayer, "fc").Format);
        Assert.Equal(SparseFormat.Csr, FormatChooser.Choose(sparse, Rows, Cols, 0, 1, perLayer, "other").Format);
    }

    [Fact]
    public void Measured_choice_is_one_of_the_candidates_and_holds_the_same_matrix()
    {
        var dense = Weight(SparsityPattern.Group(4), 0.7);
        var w = FormatChooser.Choose(dense, Rows, Cols, 0, 3, new PlanOptions { Measure = true, MeasureSeconds = 0.01 }, "fc");
        Assert.Equal(dense, w.ToDense());
        var conv = FormatChooser.Choose(dense, Rows, Cols, 5, 1, new PlanOptions { Measure = true, MeasureSeconds = 0.01 }, "conv");
        Assert.Equal(dense, conv.ToDense());
        var cold = FormatChooser.Choose(dense, Rows, Cols, 0, 1, new PlanOptions { Measure = true, MeasureSeconds = 0.01, WeightsFromMemory = true }, "fc");
        Assert.Equal(dense, cold.ToDense());
    }

    [Fact]
    public void Measured_candidates_index_columns_in_16_bits_where_they_reach()
    {
        var narrow = FormatChooser.Candidates(Weight(SparsityPattern.Element, 0.3), Rows, Cols).Select(w => w.Format).ToList();
        Assert.Contains(SparseFormat.Csr16, narrow);
        Assert.DoesNotContain(SparseFormat.Csr, narrow);
        var wide = new float[Csr16Weight.MaxCols + 1];
        wide[3] = 1f;
        var formats = FormatChooser.Candidates(wide, 1, wide.Length).Select(w => w.Format).ToList();
        Assert.Contains(SparseFormat.Csr, formats);
        Assert.DoesNotContain(SparseFormat.Csr16, formats);
    }

    [Fact]
    public void Fill_counts_non_zeros_over_the_entries_of_the_blocks_they_touch()
    {
        // 2×4 matrix, 1×2 blocks: [1 0 | 0 0], [1 1 | 0 2] → touched blocks hold 2 + 2 + 2 entries, 4 non-zeros.
        Assert.Equal(4.0 / 6, FormatChooser.Fill([1, 0, 0, 0, 1, 1, 0, 2], 2, 4, 1, 2), 12);
        Assert.Equal(1.0, FormatChooser.Fill(new float[8], 2, 4, 1, 2));
    }

    [Theory]
    [InlineData("lenet-300-100", 1)]
    [InlineData("lenet-300-100", 5)]
    [InlineData("lenet-5", 1)]
    public void A_simd_aware_pruned_model_compiles_to_simd_groups_and_matches_forward(string name, int batch)
    {
        var model = (Sequential)ModelZoo.Create(name, 3);
        var pruner = new MagnitudePruner(new SimdGroupGranularity(Math.Min(8, SparseWeightOptions.HostLanes)), PruningCriterion.Rms);
        foreach (var layer in PrunableLayer.Find(model).Where(l => l.Kind == LayerKind.Fc)) pruner.Apply(layer, new SparsityTarget(0.9));
        PruningState.MakePermanent(model);
        var plan = InferencePlan.Compile(model, [1, 28, 28], batch);
        Assert.All(plan.Steps.Where(s => s.Name.StartsWith("fc", StringComparison.Ordinal)), s => Assert.Equal(SparseFormat.SimdGroup, s.Format));
        var x = InferencePlanTests.Input(batch, 5);
        var expected = model.Forward(x, training: false).Data;
        var y = new float[expected.Length];
        plan.Run(x.Data, y);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-4 * scale, $"{name} batch {batch}: output {i} {y[i]} vs {expected[i]}\n{plan.Describe()}");
        Assert.True(plan.WeightBytes < InferencePlan.Compile(model, [1, 28, 28], batch, PlanOptions.AllDense).WeightBytes);
        var times = plan.TimeSteps(x.Data, 0.02);
        Assert.Equal(plan.Steps.Count, times.Count);
        Assert.All(times, t => Assert.True(t.Calls >= 20 && t.MedianUs >= 0 && t.MinUs <= t.MedianUs)); // a tiny step can time at 0 µs
    }
}

public class PlanThreadingTests
{
    [Theory]
    [InlineData("lenet-5", 13)]
    [InlineData("lenet-300-100", 64)]
    public void A_multi_threaded_plan_equals_the_single_threaded_plan_example_by_example(string name, int batch)
    {
        var model = InferencePlanTests.Model(name, pruned: true);
        var x = InferencePlanTests.Input(batch, 9);
        var one = InferencePlan.Compile(model, [1, 28, 28], batch, new PlanOptions { Threads = 1 });
        var two = InferencePlan.Compile(model, [1, 28, 28], batch, new PlanOptions { Threads = 2 });
        var y1 = new float[batch * one.OutputLength];
        var y2 = new float[y1.Length];
        one.Run(x.Data, y1);
        two.Run(x.Data, y2);
        two.Run(x.Data, y2); // per-chunk scratch reused
        var expected = model.Forward(x, training: false).Data;
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < y1.Length; i++)
        {
            Assert.True(Math.Abs(y2[i] - y1[i]) <= 1e-5 * scale, $"{name}: output {i}: 2 threads {y2[i]} vs 1 thread {y1[i]}");
            Assert.True(Math.Abs(y2[i] - expected[i]) <= 1e-4 * scale, $"{name}: output {i}: plan {y2[i]} vs Forward {expected[i]}");
        }
    }
}
