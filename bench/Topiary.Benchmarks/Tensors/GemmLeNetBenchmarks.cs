// GemmLeNetBenchmarks: BenchmarkDotNet suite for the GEMMs of a LeNet training step (forward X·Wᵀ,
// backward dW = dYᵀ·X and dX = dY·W, conv-as-GEMM per sample and batched), see GemmShape.LeNetShapes.
// The scalar twin is the baseline; the public entry point chooses threads by problem size.
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- --filter '*GemmLeNet*'
using BenchmarkDotNet.Attributes;

namespace Topiary.Benchmarks.Tensors;

[MemoryDiagnoser]
public class GemmLeNetBenchmarks
{
    private GemmOperands _ops = null!;

    public static IEnumerable<GemmShape> Shapes => GemmShape.LeNetShapes;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void Setup() => _ops = Shape.Allocate();

    [Benchmark(Baseline = true, Description = "scalar twin")]
    public void Reference() => _ops.RunReference();

    [Benchmark(Description = "packed, 1 thread")]
    public void Packed1Thread() => _ops.Run(1);

    [Benchmark(Description = "packed, auto threads")]
    public void PackedAuto() => _ops.Run();
}
