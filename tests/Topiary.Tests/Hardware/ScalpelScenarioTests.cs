// ScalpelScenarioTests: LeNet-5 with its weights zeroed in aligned pairs (the 90% lowest-RMS groups of width 2 per
// layer, Scalpel's SIMD-aware pruning without retraining) on the Cortex-M4 model: SimdGroup beats CSR, both beat the
// dense network (which does not fit in SRAM), and SimdGroup storage is smaller than CSR. Prints the figures.
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Runtime.Sparse;
using Xunit.Abstractions;

namespace Topiary.Tests.Hardware;

public class ScalpelScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public void Simd_group_pruned_LeNet5_on_the_M4()
    {
        var model = LeNet5.Create(4);
        foreach (var m in model.NamedModules().Select(x => x.Module))
        {
            var w = m switch { Linear l => l.Weight.Value, Conv2d c => c.Weight.Value, _ => null };
            if (w is null) continue;
            int rows = w.Dim(0), cols = w.Length / rows, groups = (cols + 1) / 2;
            var rms = new (double Score, int Row, int Group)[rows * groups];
            for (int r = 0; r < rows; r++)
                for (int g = 0; g < groups; g++)
                {
                    double s = 0;
                    int n = 0;
                    for (int c = 2 * g; c < Math.Min(2 * g + 2, cols); c++, n++) s += w.Data[r * cols + c] * (double)w.Data[r * cols + c];
                    rms[r * groups + g] = (Math.Sqrt(s / n), r, g);
                }
            foreach (var (_, r, g) in rms.OrderBy(x => x.Score).Take((int)(0.9 * rms.Length)))
                for (int c = 2 * g; c < Math.Min(2 * g + 2, cols); c++) w.Data[r * cols + c] = 0;
        }
        var layers = LayerWorkload.FromModel(model, [1, 28, 28]);
        var csr = CortexM4CycleModel.EstimateNetwork(layers, [.. layers.Select(_ => SparseFormat.Csr16)]);
        var group = CortexM4CycleModel.EstimateNetwork(layers, [.. layers.Select(_ => SparseFormat.SimdGroup)]);
        output.WriteLine($"dense {group.BaselineSeconds * 1e3:F2} ms, {group.BaselineWeightBytes} B");
        output.WriteLine($"csr16 {csr.Seconds * 1e3:F2} ms (x{csr.Speedup:F2}), {csr.WeightBytes} B ({csr.SizeReduction:P1} smaller)");
        output.WriteLine($"simd-group {group.Seconds * 1e3:F2} ms (x{group.Speedup:F2}), {group.WeightBytes} B ({group.SizeReduction:P1} smaller)");
        foreach (var a in group.Assumptions) output.WriteLine("  " + a);
        Assert.True(group.Speedup > csr.Speedup && csr.Speedup > 1, $"speedups: group {group.Speedup}, csr {csr.Speedup}");
        Assert.True(group.WeightBytes < csr.WeightBytes);
    }
}
