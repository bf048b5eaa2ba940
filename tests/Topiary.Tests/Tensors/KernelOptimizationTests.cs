// KernelOptimizationTests: every kernel is compiled fully optimized at its first call. Under .NET's tiered compilation a
// method starts as unoptimized tier-0 code (Vector256.Load a call, nothing kept in registers) and is recompiled only after
// ~30 calls and a background delay — but a Frozen convolution chooses its algorithm (im2col, Winograd, the direct kernels,
// sparse) by timing them at the model's first call, and the sparse formats are chosen the same way. Timed on tier-0 code
// the choice followed which candidate's helpers happened to be compiled: SqueezeNet 1.0 chose the direct stem kernel for
// 3×3 layers Winograd runs faster, GoogLeNet im2col for seven of its Winograd layers. So in the kernel namespaces every
// method with a loop, and every vector method too large to be inlined, carries MethodImplOptions.AggressiveOptimization.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class KernelOptimizationTests
{
    /// <summary>Above this many bytes of IL the JIT does not inline a method unless asked to.</summary>
    private const int InlineLimit = 100;

    private static readonly string[] KernelNamespaces = ["Topiary.Tensors", "Topiary.Runtime.Sparse"];

    [Fact]
    public void Every_kernel_method_with_a_loop_is_optimized_from_its_first_call()
    {
        var methods = typeof(Tensor).Assembly.GetTypes()
            .Where(t => KernelNamespaces.Contains(t.Namespace) && !t.IsInterface && !IsCompilerGenerated(t))
            .SelectMany(DeclaredMethods)
            .ToList();
        Assert.True(methods.Count > 500, $"only {methods.Count} kernel methods found: the namespaces moved?");
        var unoptimized = methods.Where(NeedsFullOptimization).Where(m => !Has(m, MethodImplAttributes.AggressiveOptimization))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}").Distinct().Order().ToList();
        Assert.True(unoptimized.Count == 0,
            "these kernel methods start as tier-0 code; mark them [MethodImpl(MethodImplOptions.AggressiveOptimization)]:\n" +
            string.Join("\n", unoptimized));
    }

    [Fact]
    public void The_rule_sees_loops_and_large_vector_methods_and_passes_small_inlined_ones()
    {
        Assert.True(NeedsFullOptimization(Method(nameof(Sum))));
        Assert.True(NeedsFullOptimization(Method(nameof(SumWhile))));
        Assert.True(NeedsFullOptimization(Method(nameof(LargeVectorHelper))));
        Assert.False(NeedsFullOptimization(Method(nameof(SmallVectorHelper))));
        Assert.False(NeedsFullOptimization(Method(nameof(Straight))));
        Assert.True(Has(Method(nameof(OptimizedSum)), MethodImplAttributes.AggressiveOptimization));
        Assert.False(Has(Method(nameof(Sum)), MethodImplAttributes.AggressiveOptimization));
    }

    private static bool NeedsFullOptimization(MethodBase method) =>
        MethodIl.HasLoop(method)
        || (!Has(method, MethodImplAttributes.AggressiveInlining) && MethodIl.Size(method) > InlineLimit
            && MethodIl.Callees(method).Any(c => c.DeclaringType?.Namespace?.StartsWith("System.Runtime.Intrinsics", StringComparison.Ordinal) == true));

    private static bool Has(MethodBase method, MethodImplAttributes flag) => (method.MethodImplementationFlags & flag) != 0;

    private static bool IsCompilerGenerated(Type type) =>
        type.FullName!.Contains('<', StringComparison.Ordinal) || type.GetCustomAttribute<CompilerGeneratedAttribute>() is not null;

    // Methods and accessors written in the type itself (constructors run once; lambdas' and iterators' bodies live in
    // compiler-generated types).
    private static IEnumerable<MethodInfo> DeclaredMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsAbstract && !m.Name.Contains('<', StringComparison.Ordinal) && m.GetMethodBody() is not null);

    private static MethodInfo Method(string name) =>
        typeof(KernelOptimizationTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    // Specimens for the rule.
    private static float Sum(float[] x)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i];
        return s;
    }

    private static int SumWhile(int n)
    {
        int s = 0;
        while (n > 0) s += n--;
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float OptimizedSum(float[] x)
    {
        float s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    private static float SmallVectorHelper(float a) => Vector256.Create(a).ToScalar();

    private static float LargeVectorHelper(float a, float b, float c, float d)
    {
        var x = Vector256.Create(a, b, c, d, a, b, c, d);
        var y = Vector256.Create(d, c, b, a, d, c, b, a);
        var z = Vector256.Max(x * y + x, y - x * x);
        var w = Vector256.Min(z * z, x + y + z);
        return Vector256.Sum(w) + Vector256.Sum(z) * a - b;
    }

    private static int Straight(int a, int b) => a * b + 1;
}
