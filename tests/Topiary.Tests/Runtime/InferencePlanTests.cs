// InferencePlanTests: a compiled plan reproduces model.Forward(x, training: false) for the zoo's LeNet-300-100 and
// LeNet-5, dense and 92 %-pruned (the smallest |w| of each Linear/Conv2d zeroed), at batch 1 and 7; steady-state
// Run allocates nothing; unsupported modules are named. Tolerance: max |diff| ≤ 1e-4·max(1, max |reference|).
using Topiary.Models;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Runtime;

public class InferencePlanTests
{
    internal static Sequential Model(string name, bool pruned)
    {
        var model = (Sequential)ModelZoo.Create(name, 7);
        if (pruned)
            foreach (var m in model.NamedModules().Select(x => x.Module))
            {
                Tensor? w = m switch { Linear l => l.Weight.Value, Conv2d c => c.Weight.Value, _ => null };
                if (w is null) continue;
                var order = Enumerable.Range(0, w.Length).OrderBy(i => Math.Abs(w.Data[i])).ToArray();
                for (int i = 0; i < (int)(0.92 * w.Length); i++) w.Data[order[i]] = 0;
            }
        // Non-zero biases so the fused bias path is exercised (Caffe init leaves them zero).
        var rng = new Random(3);
        foreach (var (n, p) in model.NamedParameters())
            if (n.EndsWith("bias", StringComparison.Ordinal))
                for (int i = 0; i < p.Length; i++) p.Value.Data[i] = (float)(rng.NextDouble() - 0.5) * 0.2f;
        return model;
    }

    internal static Tensor Input(int batch, int seed) => Tensor.RandomUniform(new Random(seed), 1f, batch, 1, 28, 28);

    public static TheoryData<string, bool, int> Cases()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (string name in new[] { "lenet-300-100", "lenet-5" })
            foreach (bool pruned in new[] { false, true })
                foreach (int batch in new[] { 1, 7 })
                    data.Add(name, pruned, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_matches_model_forward(string name, bool pruned, int batch)
    {
        var model = Model(name, pruned);
        var plan = InferencePlan.Compile(model, [1, 28, 28], batch, new PlanOptions());
        var x = Input(batch, 11);
        var expected = model.Forward(x, training: false).Data;
        var y = new float[batch * plan.OutputLength];
        plan.Run(x.Data, y);
        plan.Run(x.Data, y); // second run reuses every buffer
        Assert.Equal(expected.Length, y.Length);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        int worst = 0;
        for (int i = 1; i < y.Length; i++) if (Math.Abs(y[i] - expected[i]) > Math.Abs(y[worst] - expected[worst])) worst = i;
        double diff = Math.Abs(y[worst] - expected[worst]);
        Assert.True(diff <= 1e-4 * scale, $"{name} pruned={pruned} batch={batch}: element {worst} expected {expected[worst]}, got {y[worst]} (max |diff| {diff:G3}).\n{plan.Describe()}");
        // Scattered pruned weights: FC layers at batch ≤ 4 run as sell on AVX-512 hosts, everything else as csr.
        bool sell = batch <= 4 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        foreach (var s in plan.Steps.Where(s => s.Kind != "op"))
            Assert.Equal(!pruned ? "dense" : sell && s.Name.StartsWith("fc", StringComparison.Ordinal) ? "sell" : "csr", s.Kind);
    }

    [Theory]
    [InlineData("lenet-300-100", true)]
    [InlineData("lenet-5", true)]
    [InlineData("lenet-5", false)]
    public void Steady_state_run_allocates_nothing(string name, bool pruned)
    {
        using (Threading.Limit(1))
        {
            foreach (int batch in new[] { 1, 7 })
            {
                var plan = InferencePlan.Compile(Model(name, pruned), [1, 28, 28], batch);
                var x = Input(batch, 2).Data;
                var y = new float[batch * plan.OutputLength];
                for (int i = 0; i < 60; i++) plan.Run(x, y); // past tiered-JIT promotion
                // Steady state: a window of five runs that allocates nothing. Under a loaded test run the JIT's tier-up
                // can land inside a window (and allocate once), so up to ten windows are tried; a Run that allocates
                // every call fails them all.
                long allocated = long.MaxValue;
                for (int window = 0; window < 10 && allocated != 0; window++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 5; i++) plan.Run(x, y);
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                Assert.True(allocated == 0, $"{name} batch {batch}: Run allocated {allocated} bytes in every window of five runs.");
            }
        }
    }

    [Fact]
    public void Describe_reports_kinds_and_densities()
    {
        var plan = InferencePlan.Compile(Model("lenet-300-100", true), [1, 28, 28], 1);
        string text = plan.Describe();
        Assert.Contains("fc1+relu1", text, StringComparison.Ordinal);
        Assert.Contains(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "sell" : "csr", text, StringComparison.Ordinal);
        Assert.Equal(3, plan.Steps.Count);
        Assert.All(plan.Steps, s => Assert.InRange(s.Density, 0.07, 0.09));
        var dense = InferencePlan.Compile(Model("lenet-300-100", true), [1, 28, 28], 1, new PlanOptions { SparseDensityThreshold = 0, SellDensityThreshold = 0 });
        Assert.All(dense.Steps, s => Assert.Equal("dense", s.Kind));
    }

    [Fact]
    public void Unsupported_module_is_named_and_bad_shapes_throw()
    {
        var model = new Sequential().Add("flat", new Flatten()).Add("bn", new BatchNorm1d(784));
        var e = Assert.Throws<NotSupportedException>(() => InferencePlan.Compile(model, [1, 28, 28], 1));
        Assert.Contains("bn", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => InferencePlan.Compile(Model("lenet-300-100", false), [1, 28, 27], 1));
        var plan = InferencePlan.Compile(Model("lenet-300-100", false), [1, 28, 28], 1);
        Assert.Throws<ArgumentException>(() => plan.Run(new float[783], new float[10]));
    }
}
