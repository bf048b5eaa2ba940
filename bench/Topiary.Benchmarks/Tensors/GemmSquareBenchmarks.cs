// GemmSquareBenchmarks: BenchmarkDotNet suite for square SGEMM (128³, 512³, 1024³): the scalar twin
// (baseline, so the Ratio column is the speed-up), the optimized kernel on one thread, and the
// public entry point (all threads). Short-run job: the scalar baseline at 1024³ takes seconds.
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- --filter '*GemmSquare*'
using BenchmarkDotNet.Attributes;

namespace Topiary.Benchmarks.Tensors;

[ShortRunJob]
[MemoryDiagnoser]
public class GemmSquareBenchmarks
{
    private GemmOperands _ops = null!;

    [Params(128, 512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _ops = GemmShape.Square(Size).Allocate();

    [Benchmark(Baseline = true, Description = "scalar twin")]
    public void Reference() => _ops.RunReference();

    [Benchmark(Description = "packed, 1 thread")]
    public void Packed1Thread() => _ops.Run(1);

    [Benchmark(Description = "packed, all threads")]
    public void PackedAllThreads() => _ops.Run();
}
