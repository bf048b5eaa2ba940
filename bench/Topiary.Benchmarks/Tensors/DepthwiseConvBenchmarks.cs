// DepthwiseConvBenchmarks: BenchmarkDotNet suite for the depthwise 3×3 kernels (DepthwiseConv) against their scalar twin
// (DepthwiseConvScalar) on MobileNet-v2-like layers at batch 1, one thread (see DepthwiseShape.MobileNetShapes):
// forward, input gradient and weight gradient, each pass over all C planes. Benchmarks are grouped by pass; the
// scalar twin is each group's baseline, so the Ratio column is time / scalar time (speed-up = 1 / ratio). For
// context the forward group also times the dense 1×1 Conv2d(C, C) on the depthwise output (the pointwise layer that
// follows in MobileNet, im2col + GEMM). The GFLOP/s column uses the mean: 2·C·K·K·OH·OW per depthwise pass,
// 2·C·C·OH·OW for the pointwise layer. % of the FMA peak: see the quick mode (`quick --only fma-peak,depthwise`).
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- --filter '*DepthwiseConv*' --artifacts /tmp/bdn
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Topiary.Benchmarks.Tensors;

[ShortRunJob]
[Config(typeof(DepthwiseConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class DepthwiseConvBenchmarks
{
    private DepthwiseOperands _ops = null!;

    public static IEnumerable<DepthwiseShape> Shapes => DepthwiseShape.MobileNetShapes;

    [ParamsSource(nameof(Shapes))]
    public DepthwiseShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void Setup() => _ops = Shape.Allocate();

    [BenchmarkCategory("forward"), Benchmark(Baseline = true, Description = "forward, scalar twin")]
    public void ForwardScalar() => _ops.ForwardScalar();

    [BenchmarkCategory("forward"), Benchmark(Description = "forward, DepthwiseConv")]
    public void Forward() => _ops.Forward();

    [BenchmarkCategory("forward"), Benchmark(Description = "pointwise 1x1 Conv2d(C, C)")]
    public void Pointwise() => _ops.Pointwise();

    [BenchmarkCategory("input-grad"), Benchmark(Baseline = true, Description = "input grad, scalar twin")]
    public void InputGradientScalar() => _ops.InputGradientScalar();

    [BenchmarkCategory("input-grad"), Benchmark(Description = "input grad, DepthwiseConv")]
    public void InputGradient() => _ops.InputGradient();

    [BenchmarkCategory("weight-grad"), Benchmark(Baseline = true, Description = "weight grad, scalar twin")]
    public void WeightGradientScalar() => _ops.WeightGradientScalar();

    [BenchmarkCategory("weight-grad"), Benchmark(Description = "weight grad, DepthwiseConv")]
    public void WeightGradient() => _ops.WeightGradient();

    private sealed class DepthwiseConfig : ManualConfig
    {
        public DepthwiseConfig() => AddColumn(new GflopsColumn());
    }

    /// <summary>GFLOP/s from the mean time and the shape's flop count (pointwise or depthwise).</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·C·K·K·OH·OW (depthwise) or 2·C·C·OH·OW (pointwise) flops / mean time, in 10⁹ per second";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats || benchmarkCase.Parameters["Shape"] is not DepthwiseShape shape)
                return "NA";
            double flops = benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(Pointwise) ? shape.PointwiseFlops : shape.Flops;
            return (flops / stats.Mean).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
        }
    }
}
