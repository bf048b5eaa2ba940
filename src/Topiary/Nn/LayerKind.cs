// LayerKind: the two kinds of weight layer — convolution and fully connected. Pruning treats them differently (Han
// et al.), cost and energy models price them differently; it lives with the layers so every namespace can name it.
namespace Topiary.Nn;

/// <summary>Kind of a weight layer (Han et al. treat convolutional and fully connected layers differently).</summary>
public enum LayerKind
{
    /// <summary>Conv2d.</summary>
    Conv,
    /// <summary>Linear (fully connected).</summary>
    Fc,
}
