// MaskTrial: an undone trial restores values and masks exactly (a masked weight's original value included, a layer
// without a mask is left without one); a kept trial stays; disposing an unsettled trial undoes it.
using Topiary.Models;
using Topiary.Pruning;

namespace Topiary.Tests.Pruning;

public class MaskTrialTests
{
    private static PrunableLayer Fc1() => PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 1)).Single(l => l.Name == "fc1");

    [Fact]
    public void Undo_restores_values_and_masks_and_dispose_undoes_unless_kept()
    {
        var layer = Fc1();
        var original = (float[])layer.Weight.Value.Data.Clone();
        using (var trial = MaskTrial.Of(layer))
        {
            MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.9));
            Assert.NotNull(layer.Weight.Mask);
            trial.Undo();
            Assert.Null(layer.Weight.Mask);
            Assert.Equal(original, layer.Weight.Value.Data);
            MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.5));
        }
        Assert.Null(layer.Weight.Mask);
        Assert.Equal(original, layer.Weight.Value.Data);

        MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.3));
        var masked = (float[])layer.Weight.Value.Data.Clone();
        var mask = (float[])layer.Weight.Mask!.Data.Clone();
        using (var trial = MaskTrial.Of(layer))
        {
            MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.8));
        }
        Assert.Equal(masked, layer.Weight.Value.Data);
        Assert.Equal(mask, layer.Weight.Mask!.Data);

        using (var trial = MaskTrial.Of(layer))
        {
            MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.8));
            trial.Keep();
        }
        Assert.Equal(0.2, layer.Weight.Mask!.Data.Average(), 3);
    }
}
