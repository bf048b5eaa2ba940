// GemmShape: one SGEMM problem (m, n, k, transposition) with operands allocated and filled
// deterministically, shared by the BenchmarkDotNet suites and the quick mode.
// LeNetShapes lists the GEMMs of a LeNet-300-100 / LeNet-5 training step (batch 64).
using Topiary.Tensors;

namespace Topiary.Benchmarks.Tensors;

/// <summary>An SGEMM problem: C[m,n] = op(A)[m,k]·op(B)[k,n].</summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA = false, bool TransB = false)
{
    /// <summary>Floating-point operations of one call (2·m·n·k).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Square problems used for the % of peak figures.</summary>
    public static GemmShape Square(int size) => new($"{size}x{size}x{size}", size, size, size);

    /// <summary>GEMMs of one LeNet training step (batch 64), named after their role.</summary>
    public static IReadOnlyList<GemmShape> LeNetShapes { get; } =
    [
        new("fc1 fwd X·W1ᵀ (64,300,784)", 64, 300, 784, TransB: true),
        new("fc1 dW dYᵀ·X (300,784,64)", 300, 784, 64, TransA: true),
        new("fc1 dX dY·W1 (64,784,300)", 64, 784, 300),
        new("fc2 fwd X·W2ᵀ (64,100,300)", 64, 100, 300, TransB: true),
        new("conv1 W·col (20,576,25)", 20, 576, 25),
        new("conv2 W·col (50,64,500)", 50, 64, 500),
        new("conv2 dcol Wᵀ·dY (500,64,50)", 500, 64, 50, TransA: true),
        new("conv2 batched (50,4096,500)", 50, 4096, 500),
        new("lenet5 fc1 fwd (64,500,800)", 64, 500, 800, TransB: true),
    ];

    /// <summary>The name (BenchmarkDotNet shows parameters with ToString).</summary>
    public override string ToString() => Name;

    /// <summary>Allocates operands with values in [-1, 1) from a fixed seed.</summary>
    public GemmOperands Allocate(int seed = 42) => new(this, seed);
}

/// <summary>Operands of a <see cref="GemmShape"/> and calls into the optimized and reference SGEMM.</summary>
public sealed class GemmOperands
{
    private readonly GemmShape _s;
    private readonly float[] _a, _b, _c;
    private readonly int _lda, _ldb;

    internal GemmOperands(GemmShape shape, int seed)
    {
        _s = shape;
        var rng = new Random(seed);
        _a = Fill(rng, shape.M * shape.K);
        _b = Fill(rng, shape.K * shape.N);
        _c = new float[shape.M * shape.N];
        _lda = shape.TransA ? shape.M : shape.K;
        _ldb = shape.TransB ? shape.K : shape.N;
    }

    /// <summary>The public entry point (best tier, automatic threading).</summary>
    public void Run() => Gemm.Sgemm(_s.TransA, _s.TransB, _s.M, _s.N, _s.K, 1f, _a, _lda, _b, _ldb, 0f, _c, _s.N);

    /// <summary>The best tier with an explicit thread count.</summary>
    internal void Run(int threads) =>
        Gemm.Sgemm(GemmTiers.Best, threads, _s.TransA, _s.TransB, _s.M, _s.N, _s.K, 1f, _a, _lda, _b, _ldb, 0f, _c, _s.N);

    /// <summary>The scalar twin (baseline).</summary>
    public void RunReference() =>
        GemmReference.Sgemm(_s.TransA, _s.TransB, _s.M, _s.N, _s.K, 1f, _a, _lda, _b, _ldb, 0f, _c, _s.N);

    private static float[] Fill(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
