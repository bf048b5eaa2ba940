// KaimingInit: the initialisation of the zoo's BN-era models (ConvNet, ResNet-20, SqueezeNet, MobileNetV2) —
// every Conv2d and Linear weight Kaiming-uniform U(±√(6/fan_in)) (fan-in, ReLU gain √2, PyTorch kaiming_uniform_
// with a = 0), drawn in module order from one Random; biases zero. BatchNorm keeps γ = 1, β = 0.
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>Kaiming-uniform initialisation for Linear and Conv2d layers.</summary>
public static class KaimingInit
{
    /// <summary>Re-initialises every Linear and Conv2d in <paramref name="model"/> in module order (weights Kaiming-uniform, biases zero).</summary>
    public static void Apply(Module model, Random rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rng);
        foreach (var (_, module) in model.NamedModules())
        {
            var (weight, bias) = module switch
            {
                Linear l => (l.Weight, l.Bias),
                Conv2d c => (c.Weight, c.Bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            Init.KaimingUniform(weight.Value, rng);
            bias?.Value.Clear();
        }
    }
}
