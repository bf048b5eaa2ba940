// BatchNorm2d: PyTorch nn.BatchNorm2d — per-channel batch normalisation of [N, C, H, W] (statistics over N, H, W).
// Formulas and buffers (running_mean, running_var) in BatchNorm.cs.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// Batch normalisation of [N, C, H, W] per channel (PyTorch <c>nn.BatchNorm2d</c>): parameters <c>weight</c>, <c>bias</c>,
/// buffers <c>running_mean</c>, <c>running_var</c>. Formulas in <see cref="BatchNorm"/>.
/// </summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer (γ = 1, β = 0, running_mean = 0, running_var = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">channels below 1, eps not positive, momentum outside [0, 1].</exception>
    public BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f) : base(channels, eps, momentum)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank != 4 || input.Dim(1) != Channels)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {Channels}, H, W]", input.Shape);
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"BatchNorm2d({Channels}, eps={Eps}, momentum={Momentum})");
}
