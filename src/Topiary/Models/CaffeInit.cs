// CaffeInit: the initialisation of Caffe's LeNet prototxts — "xavier" weight filler
// U(±√(3/fan_in)), constant-zero biases with lr_mult 2.
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>Caffe-style initialisation for Linear and Conv2d layers.</summary>
public static class CaffeInit
{
    /// <summary>Re-initialises every Linear and Conv2d in <paramref name="model"/> in module order.</summary>
    public static void Apply(Module model, Random rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (_, module) in model.NamedModules())
        {
            (Parameter weight, Parameter? bias) = module switch
            {
                Linear l => (l.Weight, l.Bias),
                Conv2d c => (c.Weight, c.Bias),
                _ => (null!, null),
            };
            if (weight is null) continue;
            int fanIn = weight.Length / weight.Value.Dim(0);
            Init.XavierUniform(weight.Value, fanIn, rng);
            if (bias is not null)
            {
                bias.Value.Clear();
                bias.LearningRateMultiplier = 2f;
            }
        }
    }
}
