// WinogradEpilogue: what Winograd3x3's output transform applies to each result before storing it —
//   y = clamp(conv + bias[o] + residual[i], Min, Max)
// in that order (the order Conv2d's other inference paths use), so a fused layer (bias, residual add, ReLU/ReLU6) needs
// no second pass over its output.
namespace Topiary.Tensors;

/// <summary>The convolution's epilogue: y = clamp(conv + bias + residual, Min, Max) (bias and residual optional).</summary>
/// <param name="Bias">Per output channel, or null.</param>
/// <param name="Residual">Indexed exactly as the output array, or null.</param>
/// <param name="Min">Lower clamp (−∞: none).</param>
/// <param name="Max">Upper clamp (+∞: none).</param>
internal readonly record struct WinogradEpilogue(float[]? Bias, float[]? Residual, float Min, float Max)
{
    /// <summary>No bias, residual or clamp.</summary>
    public static WinogradEpilogue None => new(null, null, float.NegativeInfinity, float.PositiveInfinity);
}
