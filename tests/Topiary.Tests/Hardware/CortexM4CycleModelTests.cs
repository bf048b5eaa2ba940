// CortexM4CycleModelTests: hand-computed cycles for the 4x6 layer of LayerWorkloadTests in every modelled format
// (default costs: LDR 2, pipelined LDR 1, SMLAD/MLA/ALU 1, taken branch 3, unroll 2 pairs, output 8, row setup 4),
// an odd-width dense layer, conv im2col and flash terms, weight bytes per format, monotonicity in sparsity,
// SRAM fit, and the unmodelled Block format.
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Hardware;

public class CortexM4CycleModelTests
{
    private static readonly CortexM4CycleModel Model = new();

    [Fact]
    public void Dense_4x6_by_hand()
    {
        // Per output: pairs 3, iterations 2 → loads 2·(2−1) + 6·1 = 8, SMLAD 3, loop 2·(1+3) = 8, output 8 → 27.
        var e = Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Dense);
        Assert.Equal((32.0, 12.0, 0.0, 32.0, 32.0, 0.0, 0.0), (e.LoadCycles, e.MacCycles, e.IndexDecodeCycles, e.LoopCycles, e.OutputCycles, e.Im2ColCycles, e.FlashStallCycles));
        Assert.Equal(108, e.TotalCycles);
        Assert.Equal(108 / 168e6, e.Seconds, 1e-15);
        Assert.Equal(48, e.WeightBytes);
        Assert.Equal(2 * (6 + 4), e.ActivationBytes);
    }

    [Fact]
    public void Dense_odd_width_adds_a_halfword_tail()
    {
        // 4x5: pairs 2, one iteration, odd 1 → loads 1 + 4 + (2+1) = 8, MACs 2 + 1, loop 4, output 8 → 23 per output.
        var w = LayerWorkload.FromWeight("o", LayerKind.Fc, new float[20], 4, 5, 1);
        var e = Model.Estimate(w, SparseFormat.Dense);
        Assert.Equal(4 * 23, e.TotalCycles);
        Assert.Equal(4 * 8, e.LoadCycles);
        Assert.Equal(4 * 3, e.MacCycles);
    }

    [Fact]
    public void Csr_4x6_by_hand()
    {
        // 11 non-zeros x (loads 2+1+2 = 5, MLA 1, loop 1+3 = 4) + 4 outputs x (8 + 4).
        var e = Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Csr);
        Assert.Equal((55.0, 11.0, 0.0, 44.0, 48.0), (e.LoadCycles, e.MacCycles, e.IndexDecodeCycles, e.LoopCycles, e.OutputCycles));
        Assert.Equal(158, e.TotalCycles);
        Assert.Equal(11 * 6 + 5 * 4, e.WeightBytes);
        var e16 = Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Csr16);
        Assert.Equal(158, e16.TotalCycles);
        Assert.Equal(11 * 4 + 5 * 4, e16.WeightBytes);
    }

    [Fact]
    public void Relative8_csr_adds_decode_and_fillers()
    {
        var relative = new CortexM4CycleModel(compactIndex: CsrIndexEncoding.Relative8);
        var e = relative.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Csr16);
        Assert.Equal(11 * 2, e.IndexDecodeCycles); // ADD + address-dependency stall
        Assert.Equal(180, e.TotalCycles);
        Assert.Equal(11 * 3 + 5 * 4, e.WeightBytes);

        var weight = new float[600];
        weight[0] = 1; weight[599] = 1; // 2 fillers walk like entries
        var w = LayerWorkload.FromWeight("f", LayerKind.Fc, weight, 1, 600, 1);
        var f = relative.Estimate(w, SparseFormat.Csr16);
        Assert.Equal(4 * (5 + 2 + 1 + 4) + 12, f.TotalCycles);
        Assert.Equal(4 * 3 + 2 * 4, f.WeightBytes);
    }

    [Fact]
    public void SimdGroup_4x6_by_hand()
    {
        // 7 kept pairs x (loads 5, SMLAD 1, loop 4) + 4 outputs x 12.
        var e = Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.SimdGroup);
        Assert.Equal((35.0, 7.0, 28.0, 48.0), (e.LoadCycles, e.MacCycles, e.LoopCycles, e.OutputCycles));
        Assert.Equal(118, e.TotalCycles);
        Assert.Equal(7 * 6 + 5 * 4, e.WeightBytes);
    }

    [Fact]
    public void Conv_pays_per_position_and_im2col_and_flash_when_asked()
    {
        var conv = LayerWorkload.FromWeight("c", LayerKind.Conv, LayerWorkloadTests.W4x6, 4, 6, 9, columnsPerInput: 3, inputElements: 50);
        var e = Model.Estimate(conv, SparseFormat.Csr);
        Assert.Equal(9 * 6, e.Im2ColCycles);
        Assert.Equal(9 * 158 + 54, e.TotalCycles);
        Assert.Equal(2 * (50 + 36 + 6), e.ActivationBytes);
        var flash = new CortexM4CycleModel(weightsInFlash: true).Estimate(conv, SparseFormat.Dense);
        Assert.Equal(Math.Ceiling(48.0 * 9 / 16) * 5, flash.FlashStallCycles);
        Assert.Equal(9 * 108 + 54 + 135, flash.TotalCycles);
    }

    [Fact]
    public void Sparse_cycles_fall_with_sparsity_and_dense_does_not_change()
    {
        var rng = new Random(5);
        var weight = new float[30 * 64];
        for (int i = 0; i < weight.Length; i++) weight[i] = (float)(rng.NextDouble() + 0.1);
        var order = Enumerable.Range(0, weight.Length).OrderBy(_ => rng.Next()).ToArray();
        double? dense = null, prevCsr = null, prevGroup = null;
        for (int step = 0; step <= 10; step++)
        {
            int zeros = weight.Length * step / 10;
            for (int i = 0; i < zeros; i++) weight[order[i]] = 0;
            var w = LayerWorkload.FromWeight("m", LayerKind.Fc, weight, 30, 64, 1);
            double d = Model.Estimate(w, SparseFormat.Dense).TotalCycles;
            double csr = Model.Estimate(w, SparseFormat.Csr).TotalCycles;
            double group = Model.Estimate(w, SparseFormat.SimdGroup).TotalCycles;
            dense ??= d;
            Assert.Equal(dense.Value, d);
            if (prevCsr is not null)
            {
                Assert.True(csr < prevCsr, $"step {step}: CSR {csr} not below {prevCsr}");
                Assert.True(group <= prevGroup, $"step {step}: SimdGroup {group} above {prevGroup}");
            }
            prevCsr = csr;
            prevGroup = group;
        }
        Assert.True(prevGroup < dense); // all zero: only per-output work left
    }

    [Fact]
    public void Sram_fit_and_network_estimate_state_placement()
    {
        var layers = LayerWorkload.FromModel(LeNet5.Create(3), [1, 28, 28]);
        var dense = layers.Select(_ => SparseFormat.Dense).ToArray();
        Assert.False(Model.FitsInSram(layers, dense)); // 431k 16-bit weights ≫ 100 KiB
        var tiny = new[] { LayerWorkloadTests.Fc4x6() };
        Assert.True(Model.FitsInSram(tiny, [SparseFormat.SimdGroup]));

        var result = CortexM4CycleModel.EstimateNetwork(layers, dense);
        Assert.Contains(result.Assumptions, a => a.Contains("does not fit", StringComparison.Ordinal));
        Assert.Equal(1.0, result.Speedup, 12);
        Assert.All(result.Layers, l => Assert.DoesNotContain("flash 0", l.Detail, StringComparison.Ordinal)); // stalls present
        Assert.Throws<ArgumentException>(() => Model.FitsInSram(layers, [SparseFormat.Dense]));
    }

    [Fact]
    public void Block_is_not_modelled()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Block));
        Assert.Contains("Block", e.Message, StringComparison.Ordinal);
    }
}
