// DeadNeuronRemover on the real zoo models with random 90%-sparse masks (and random non-zero
// biases, so folding matters): the report adds up, shapes and masks agree, the output is unchanged
// and the shrunk model still trains.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;
using Xunit.Abstractions;
using static Topiary.Tests.Pruning.Structure.StructureTestHelpers;

namespace Topiary.Tests.Pruning.Structure;

public class DeadNeuronRemoverZooTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("lenet-300-100")]
    [InlineData("lenet-5")]
    public void RandomNinetyPercentSparsity_ShrinksWithoutChangingTheOutput(string name)
    {
        var model = (Sequential)ModelZoo.Create(name, 1);
        var rng = new Random(123);
        foreach (var (_, module) in model.NamedModules())
        {
            var (weight, bias) = module switch
            {
                Linear l => (l.Weight, l.Bias),
                Conv2d c => (c.Weight, c.Bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            weight.SetMask(RandomMask(weight, 0.1, rng));
            for (int i = 0; i < bias!.Length; i++) bias.Value.Data[i] = (float)(rng.NextDouble() - 0.3) * 0.2f;
        }
        var x = Tensor.RandomUniform(new Random(124), 1f, 8, 1, 28, 28);
        var before = Eval(model, x);
        long parameters = model.ParameterCount();

        var report = DeadNeuronRemover.Remove(model);

        foreach (var l in report.Layers)
            output.WriteLine($"{name} {l.Name}: {l.UnitsBefore} -> {l.UnitsAfter} (no input {l.RemovedNoInput}, no output {l.RemovedNoOutput}, kept dead {l.KeptDead})");
        output.WriteLine($"{name}: {report.Passes} passes, parameters {report.ParametersBefore} -> {report.ParametersAfter}");
        Assert.True(report.Changed, $"{name}: expected some dead units at 90% sparsity");
        Assert.Equal(parameters, report.ParametersBefore);
        Assert.Equal(model.ParameterCount(), report.ParametersAfter);
        Assert.True(report.ParametersAfter < report.ParametersBefore);
        Assert.Empty(report.Notes);
        var last = report.Layers[^1];
        Assert.Equal(last.UnitsBefore, last.UnitsAfter);
        foreach (var layer in report.Layers)
        {
            Assert.Equal(layer.UnitsBefore - layer.Removed, layer.UnitsAfter);
            var module = model.NamedModules().Single(m => m.Name == layer.Name).Module;
            int units = module switch { Linear l => l.OutFeatures, Conv2d c => c.OutChannels, _ => -1 };
            Assert.Equal(layer.UnitsAfter, units);
        }
        AssertParametersConsistent(model);
        AssertClose(before, Eval(model, x));
        TrainOneStep(model, x);

        // A second run finds nothing: the first reached the fixed point.
        Assert.False(DeadNeuronRemover.Remove(model).Changed);
    }
}
