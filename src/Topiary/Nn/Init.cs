// Init: weight initialisers with the formulas of PyTorch (torch.nn.init) and Caffe's fillers.
// fan_in = shape[1]·(receptive field), fan_out = shape[0]·(receptive field), receptive field =
// product of shape[2..] (1 for a Linear weight). Every random draw comes from the given Random,
// in flat element order, so the same seed gives the same weights.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Which fan a Kaiming initialiser preserves (PyTorch's <c>mode</c>).</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of the forward pass (fan_in).</summary>
    FanIn,

    /// <summary>Preserve the variance of the backward pass (fan_out).</summary>
    FanOut,
}

/// <summary>Weight initialisers (PyTorch <c>torch.nn.init</c> and Caffe fillers).</summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight of rank ≥ 2: shape[1]·rf and shape[0]·rf, rf = Π shape[2..].</summary>
    /// <exception cref="ArgumentException">Rank below 2.</exception>
    public static (int FanIn, int FanOut) Fans(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank < 2)
            throw new ArgumentException($"Fan in/out needs a weight of rank >= 2, got shape {Tensor.ShapeString(weight.Shape)}.", nameof(weight));
        int receptive = 1;
        for (int i = 2; i < weight.Rank; i++) receptive *= weight.Dim(i);
        return (weight.Dim(1) * receptive, weight.Dim(0) * receptive);
    }

    /// <summary>Fills <paramref name="tensor"/> with U(−bound, bound).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is negative or not finite.</exception>
    public static void Uniform(Tensor tensor, float bound, Random rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(bound >= 0) || float.IsInfinity(bound)) throw new ArgumentOutOfRangeException(nameof(bound), bound, "The bound must be finite and non-negative.");
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i++) data[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
    }

    /// <summary>Fills <paramref name="tensor"/> with N(0, std²) (Box–Muller draws).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite.</exception>
    public static void Normal(Tensor tensor, float std, Random rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(std >= 0) || float.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be finite and non-negative.");
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i++) data[i] = (float)(Tensor.NextGaussian(rng) * std);
    }

    /// <summary>Caffe's "xavier" filler (default variance_norm FAN_IN): U(±√(3/fan_in)).</summary>
    /// <exception cref="ArgumentException">Rank below 2.</exception>
    public static void XavierUniform(Tensor weight, Random rng)
    {
        var (fanIn, _) = Fans(weight);
        Uniform(weight, MathF.Sqrt(3f / Math.Max(1, fanIn)), rng);
    }

    /// <summary>Caffe's "xavier" filler with an explicit fan-in (Caffe: count / num): U(±√(3/fan_in)).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> below 1.</exception>
    public static void XavierUniform(Tensor weight, int fanIn, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        Uniform(weight, MathF.Sqrt(3f / fanIn), rng);
    }

    /// <summary>
    /// Kaiming (He) uniform, as PyTorch <c>kaiming_uniform_</c> with leaky-ReLU slope <paramref name="a"/>:
    /// U(±gain·√(3/fan)), gain = √(2/(1+a²)). With a = √5 (PyTorch's Linear/Conv default) this is U(±1/√fan_in).
    /// </summary>
    /// <exception cref="ArgumentException">Rank below 2.</exception>
    public static void KaimingUniform(Tensor weight, Random rng, float a = 0f, FanMode mode = FanMode.FanIn)
    {
        var (fanIn, fanOut) = Fans(weight);
        int fan = Math.Max(1, mode == FanMode.FanIn ? fanIn : fanOut);
        float gain = MathF.Sqrt(2f / (1f + a * a));
        Uniform(weight, gain * MathF.Sqrt(3f / fan), rng);
    }

    /// <summary>Kaiming (He) normal, as PyTorch <c>kaiming_normal_</c>: N(0, (gain/√fan)²), gain = √(2/(1+a²)).</summary>
    /// <exception cref="ArgumentException">Rank below 2.</exception>
    public static void KaimingNormal(Tensor weight, Random rng, float a = 0f, FanMode mode = FanMode.FanIn)
    {
        var (fanIn, fanOut) = Fans(weight);
        int fan = Math.Max(1, mode == FanMode.FanIn ? fanIn : fanOut);
        float gain = MathF.Sqrt(2f / (1f + a * a));
        Normal(weight, gain / MathF.Sqrt(fan), rng);
    }

    /// <summary>Fills <paramref name="tensor"/> with <paramref name="value"/> (Caffe "constant" filler). Draws nothing.</summary>
    public static void Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Fill(value);
    }

    /// <summary>
    /// PyTorch's default Linear/Conv initialisation: weight ~ U(±1/√fan_in) (kaiming_uniform with a = √5),
    /// then bias ~ U(±1/√fan_in), drawn in that order.
    /// </summary>
    public static void PyTorchDefault(Tensor weight, Tensor? bias, Random rng)
    {
        KaimingUniform(weight, rng, MathF.Sqrt(5f));
        if (bias is not null)
        {
            var (fanIn, _) = Fans(weight);
            Uniform(bias, fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f, rng);
        }
    }
}
