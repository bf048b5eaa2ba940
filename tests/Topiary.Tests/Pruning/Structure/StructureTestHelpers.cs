// Shared helpers of the structural-pruning tests: deterministic inputs, masks built by hand, output
// comparison with a relative tolerance that prints the first and largest difference, and a
// Forward/Backward/SGD step proving a shrunk model still trains.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Pruning.Structure;

internal static class StructureTestHelpers
{
    /// <summary>Inference-mode output of <paramref name="model"/> on <paramref name="x"/>, copied.</summary>
    public static Tensor Eval(Module model, Tensor x) => model.Forward(x, training: false).Clone();

    /// <summary>A mask of ones shaped like <paramref name="p"/>, or a copy of its current mask.</summary>
    public static Tensor Ones(Parameter p)
    {
        if (p.Mask is not null) return p.Mask.Clone();
        var m = new Tensor(p.Value.Shape.ToArray());
        m.Fill(1f);
        return m;
    }

    /// <summary>Random 0/1 mask keeping each entry with probability <paramref name="keep"/>.</summary>
    public static Tensor RandomMask(Parameter p, double keep, Random rng)
    {
        var m = new Tensor(p.Value.Shape.ToArray());
        for (int i = 0; i < m.Length; i++) m.Data[i] = rng.NextDouble() < keep ? 1f : 0f;
        return m;
    }

    /// <summary>Zeroes row <paramref name="row"/> of a mask viewed as [D0, R].</summary>
    public static void ZeroRow(Tensor mask, int row)
    {
        int r = mask.Length / mask.Dim(0);
        mask.Data.AsSpan(row * r, r).Clear();
    }

    /// <summary>Zeroes columns [from, from + count) of every row of a mask viewed as [D0, R].</summary>
    public static void ZeroColumns(Tensor mask, int from, int count)
    {
        int r = mask.Length / mask.Dim(0);
        for (int o = 0; o < mask.Dim(0); o++) mask.Data.AsSpan(o * r + from, count).Clear();
    }

    /// <summary>Asserts max |a − e| ≤ tol·max(1, max |e|), printing the largest difference and its position.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        double scale = 1, worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected.Data[i]));
            double d = Math.Abs((double)expected.Data[i] - actual.Data[i]);
            if (d > worst || double.IsNaN(d)) { worst = double.IsNaN(d) ? double.PositiveInfinity : d; at = i; }
        }
        if (at >= 0 && !(worst <= tol * scale))
            Assert.Fail($"largest difference {worst:G4} (allowed {tol * scale:G4}) at index {at}: expected {expected.Data[at]}, got {actual.Data[at]}");
    }

    /// <summary>Every parameter's gradient and mask have its value's shape, and masked values are zero.</summary>
    public static void AssertParametersConsistent(Module model)
    {
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad.SameShape(p.Value), $"{name}: grad {Tensor.ShapeString(p.Grad.Shape)} vs value {Tensor.ShapeString(p.Value.Shape)}");
            if (p.Mask is null) continue;
            Assert.True(p.Mask.SameShape(p.Value), $"{name}: mask {Tensor.ShapeString(p.Mask.Shape)} vs value {Tensor.ShapeString(p.Value.Shape)}");
            for (int i = 0; i < p.Length; i++)
                if (p.Mask.Data[i] == 0) Assert.True(p.Value.Data[i] == 0, $"{name}[{i}] is masked but {p.Value.Data[i]}");
        }
    }

    /// <summary>One training Forward/Backward and an SGD (momentum) step; gradients and values must stay finite and masked.</summary>
    public static void TrainOneStep(Module model, Tensor x, Sgd? optimizer = null)
    {
        optimizer ??= new Sgd(model.Parameters(), 0.01f, momentum: 0.9f);
        model.ZeroGrad();
        var y = model.Forward(x, training: true);
        var dy = new Tensor(y.Shape.ToArray());
        dy.Fill(1f / y.Length);
        var dx = model.Backward(dy);
        Assert.Equal(x.Shape.ToArray(), dx.Shape.ToArray());
        optimizer.Step();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad.SameShape(p.Value), name);
            Assert.All(p.Value.Data, v => Assert.True(float.IsFinite(v), name));
        }
        AssertParametersConsistent(model);
    }

    /// <summary>Rows <paramref name="rows"/> and column blocks <paramref name="cols"/> (each <paramref name="block"/> wide) of t viewed as [D0, U·block].</summary>
    public static float[] Select(Tensor t, int[]? rows, int[]? cols, int block = 1)
    {
        int d0 = t.Dim(0), r = t.Length / d0;
        rows ??= Enumerable.Range(0, d0).ToArray();
        cols ??= Enumerable.Range(0, r / block).ToArray();
        var list = new List<float>();
        foreach (int o in rows)
            foreach (int c in cols)
                for (int j = 0; j < block; j++) list.Add(t.Data[o * r + c * block + j]);
        return list.ToArray();
    }

    /// <summary>0..n−1 without <paramref name="removed"/>.</summary>
    public static int[] Except(int n, params int[] removed) => Enumerable.Range(0, n).Except(removed).ToArray();
}
