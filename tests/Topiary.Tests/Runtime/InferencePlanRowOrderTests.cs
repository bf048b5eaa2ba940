// InferencePlanRowOrderTests: a sell Linear that feeds another Linear (through ReLU, Dropout or Identity) runs with its
// rows permuted (SellRowOrder) and the next layer's columns permuted to match; the plan's result is unchanged and in
// the model's order, at batch 1 and 3, with sell forced (so the path runs on every host, vectorised or portable).
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;

namespace Topiary.Tests.Runtime;

public class InferencePlanRowOrderTests
{
    private static Sequential Model()
    {
        var model = new Sequential(new Linear(70, 45, new Random(1)), new ReLU(), new Dropout(0.5f, 2), new Linear(45, 33, new Random(3)),
            new ReLU(), new Identity(), new Linear(33, 19, new Random(4)), new Linear(19, 5, new Random(5)));
        ulong seed = 10;
        foreach (var lin in model.NamedModules().Select(m => m.Module).OfType<Linear>())
        {
            var mask = SparsityPatterns.Mask(lin.OutFeatures, lin.InFeatures, SparsityPattern.Element, 0.8, seed++);
            var w = lin.Weight.Value.Data;
            for (int i = 0; i < w.Length; i++) w[i] *= mask[i];
            var b = lin.Bias!.Value.Data;
            for (int i = 0; i < b.Length; i++) b[i] = 0.1f * (i % 7 - 3);
        }
        return model;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Permuted_sell_layers_give_the_model_result(int batch)
    {
        var model = Model();
        var plan = InferencePlan.Compile(model, [70], batch, PlanOptions.AllSparse(SparseFormat.Sell));
        Assert.All(plan.Steps, s => Assert.Equal("sell", s.Kind));
        var x = Tensor.RandomUniform(new Random(6), 1f, batch, 70);
        var expected = model.Forward(x, training: false).Data;
        var y = new float[batch * 5];
        plan.Run(x.Data, y);
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"output {i}: {y[i]} vs {expected[i]}\n{plan.Describe()}");
    }
}
