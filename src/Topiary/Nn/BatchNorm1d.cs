// BatchNorm1d: PyTorch nn.BatchNorm1d — per-channel batch normalisation of [N, C] or [N, C, L] (statistics over N, L).
// Formulas and buffers (running_mean, running_var) in BatchNorm.cs.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// Batch normalisation of [N, C] or [N, C, L] per channel (PyTorch <c>nn.BatchNorm1d</c>). Formulas in <see cref="BatchNorm"/>.
/// </summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer (γ = 1, β = 0, running_mean = 0, running_var = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">channels below 1, eps not positive, momentum outside [0, 1].</exception>
    public BatchNorm1d(int channels, float eps = 1e-5f, float momentum = 0.1f) : base(channels, eps, momentum)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if ((input.Rank != 2 && input.Rank != 3) || input.Dim(1) != Channels)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {Channels}] or [N, {Channels}, L]", input.Shape);
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"BatchNorm1d({Channels}, eps={Eps}, momentum={Momentum})");
}
