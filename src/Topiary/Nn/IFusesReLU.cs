// IFusesReLU: a layer that can run with the ReLU after it folded in (Sequential does it for every such pair in training): its
// output is then max(y, 0) and its Backward takes the gradient below the ReLU first, bit for bit what the two layers
// apart compute, with one pass over the tensors fewer and no intermediate tensor.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A layer that runs a following ReLU inside its own Forward and Backward.</summary>
internal interface IFusesReLU
{
    /// <summary>The layer's Forward, followed by a ReLU when <paramref name="relu"/> is set (Backward then takes dy
    /// below that ReLU).</summary>
    Tensor Forward(Tensor input, bool training, bool relu);
}
