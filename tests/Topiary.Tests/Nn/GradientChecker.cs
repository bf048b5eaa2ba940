// GradientChecker: finite-difference verification of Module.Backward.
// The scalar probe is L(x, θ) = Σ r ⊙ Forward(x, training: true) with a fixed random r, so dL/dy = r.
// The analytic gradients (Backward(r) for the input, Parameter.Grad for every parameter) are compared
// with central differences (L(v + eps) − L(v − eps)) / (2·eps), L summed in double. A mismatch
// reports the worst index with both values and the largest difference.
using System.Globalization;
using System.Text;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

internal static class GradientChecker
{
    /// <summary>Checks the input gradient and every parameter gradient of <paramref name="module"/> at <paramref name="input"/>.</summary>
    public static void Check(Module module, Tensor input, float eps = 1e-2f, double rtol = 1e-2, double atol = 1e-3, int seed = 12345)
    {
        var y = module.Forward(input, training: true);
        var r = Tensor.RandomUniform(new Random(seed), 1f, y.Shape.ToArray());
        module.ZeroGrad();
        var dx = module.Backward(r).Clone();
        Assert.True(dx.SameShape(input), $"input gradient shape {Tensor.ShapeString(dx.Shape)} differs from input {Tensor.ShapeString(input.Shape)}");

        var report = new StringBuilder();
        Compare("input", input.Data, dx.Data, () => Probe(module, input, r), eps, rtol, atol, report);
        foreach (var (name, p) in module.NamedParameters())
            Compare(name, p.Value.Data, p.Grad.Data.ToArray(), () => Probe(module, input, r), eps, rtol, atol, report);
        Assert.True(report.Length == 0, $"{module}:\n{report}");
    }

    /// <summary>
    /// As <see cref="Check"/> for an op with several inputs and outputs: L = Σ_k r_k ⊙ y_k, every input gradient and
    /// every parameter gradient compared with central differences.
    /// </summary>
    public static void CheckOp(GraphOp op, Tensor[] inputs, float eps = 1e-2f, double rtol = 1e-2, double atol = 1e-3, int seed = 12345)
    {
        var ys = op.Forward(inputs, training: true);
        var rng = new Random(seed);
        var r = ys.Select(y => Tensor.RandomUniform(rng, 1f, y.Shape.ToArray())).ToArray();
        op.ZeroGrad();
        var dx = op.Backward(r).Select(t => t.Clone()).ToArray();
        Assert.Equal(inputs.Length, dx.Length);
        double ProbeAll()
        {
            var outs = op.Forward(inputs, training: true);
            double s = 0;
            for (int k = 0; k < outs.Count; k++)
                for (int i = 0; i < outs[k].Length; i++) s += (double)outs[k].Data[i] * r[k].Data[i];
            return s;
        }
        var report = new StringBuilder();
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.True(dx[i].SameShape(inputs[i]), $"input {i} gradient shape {Tensor.ShapeString(dx[i].Shape)} differs from {Tensor.ShapeString(inputs[i].Shape)}");
            Compare($"input {i}", inputs[i].Data, dx[i].Data, ProbeAll, eps, rtol, atol, report);
        }
        foreach (var (name, p) in op.NamedParameters())
            Compare(name, p.Value.Data, p.Grad.Data.ToArray(), ProbeAll, eps, rtol, atol, report);
        Assert.True(report.Length == 0, $"{op}:\n{report}");
    }

    /// <summary>Compares an analytic gradient with central differences of <paramref name="f"/> over <paramref name="values"/>.</summary>
    public static void Compare(string what, float[] values, float[] analytic, Func<double> f,
        float eps, double rtol, double atol, StringBuilder report)
    {
        Assert.Equal(values.Length, analytic.Length);
        double scale = 0;
        foreach (float a in analytic) scale = Math.Max(scale, Math.Abs(a));
        double absTol = atol * Math.Max(1, scale);
        int worst = -1, failures = 0;
        double worstRatio = 0, worstNumeric = 0, maxDiff = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float saved = values[i];
            values[i] = saved + eps;
            double plus = f();
            values[i] = saved - eps;
            double minus = f();
            values[i] = saved;
            double numeric = (plus - minus) / (2.0 * eps);
            double diff = Math.Abs(numeric - analytic[i]);
            double tol = absTol + rtol * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i]));
            maxDiff = Math.Max(maxDiff, diff);
            if (diff > tol) failures++;
            if (diff / tol > worstRatio)
            {
                worstRatio = diff / tol;
                worst = i;
                worstNumeric = numeric;
            }
        }
        if (failures > 0)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"  {what}: {failures}/{values.Length} entries differ; worst index {worst}: analytic {analytic[worst]:G9}, numeric {worstNumeric:G9}; largest difference {maxDiff:G6} (abs tol {absTol:G3}, rel tol {rtol:G3})");
        }
    }

    private static double Probe(Module module, Tensor input, Tensor r)
    {
        var y = module.Forward(input, training: true);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y.Data[i] * r.Data[i];
        return s;
    }

    /// <summary>Normal random tensor (std 1) from a seed.</summary>
    public static Tensor Randn(int seed, params int[] shape) => Tensor.RandomNormal(new Random(seed), 1f, shape);

    /// <summary>A tensor whose entries are a random permutation of spacing·(i − n/2): distinct, well separated (for max/ReLU kinks).</summary>
    public static Tensor Distinct(int seed, float spacing, params int[] shape)
    {
        var t = new Tensor(shape);
        var rng = new Random(seed);
        var idx = Enumerable.Range(0, t.Length).ToArray();
        rng.Shuffle(idx);
        for (int i = 0; i < t.Length; i++) t.Data[i] = spacing * (idx[i] - t.Length / 2 + 0.5f);
        return t;
    }

    /// <summary>Fills every parameter with N(0, std²) draws (so that BN γ, β and biases are non-trivial).</summary>
    public static void Randomize(Module module, int seed, float std = 0.5f)
    {
        var rng = new Random(seed);
        foreach (var p in module.Parameters())
            for (int i = 0; i < p.Length; i++) p.Value.Data[i] = (float)(Tensor.NextGaussian(rng) * std);
    }
}
