// Linear (fully connected): y = x·Wᵀ + b, PyTorch nn.Linear.
//   input  x [N, in]      weight W [out, in]      bias b [out] (optional)
//   output y [N, out]
// Backward: dW += dyᵀ·x, db += Σ_n dy[n,:], dx = dy·W. Forward returns a buffer owned by the layer
// that is overwritten by the next Forward; Backward likewise returns a reused buffer.
// Masks are the optimizer's business: the layer reads Weight.Value as is (zeros included).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Fully connected layer y = x·Wᵀ + b (PyTorch <c>nn.Linear</c>).</summary>
public sealed class Linear : Module
{
    private Tensor? _output, _gradInput;
    private KeptInput _kept;

    /// <summary>
    /// Creates a layer with weight [out, in] and bias [out], initialised like PyTorch:
    /// weight and bias ~ U(±1/√in) (weight drawn first).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A feature count is below 1.</exception>
    public Linear(int inFeatures, int outFeatures, Random rng, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentNullException.ThrowIfNull(rng);
        Weight = new Parameter(new Tensor(outFeatures, inFeatures));
        Bias = bias ? new Parameter(new Tensor(outFeatures)) : null;
        Init.PyTorchDefault(Weight.Value, Bias?.Value, rng);
    }

    /// <summary>Weight, shape [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, shape [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Input features (Weight dim 1; follows structural shrinking).</summary>
    public int InFeatures => Weight.Value.Dim(1);

    /// <summary>Output features (Weight dim 0; follows structural shrinking).</summary>
    public int OutFeatures => Weight.Value.Dim(0);

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => LayerHelpers.WeightAndBias(Weight, Bias);

    /// <summary>y = x·Wᵀ + b. Input [N, in] → output [N, out] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The input is not [N, in].</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        int inF = InFeatures, outF = OutFeatures;
        if (input.Rank != 2 || input.Dim(1) != inF)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {inF}]", input.Shape);
        int n = input.Dim(0);
        var y = LayerHelpers.Ensure(ref _output, n, outF);
        Gemm.Sgemm(false, true, n, outF, inF, 1f, input.Data, inF, Weight.Value.Data, inF, 0f, y.Data, outF);
        if (Bias is not null)
        {
            var b = Bias.Value.Data.AsSpan();
            for (int i = 0; i < n; i++)
            {
                var row = y.Data.AsSpan(i * outF, outF);
                TensorPrimitives.Add(row, b, row);
            }
        }
        _kept.Keep(input, training);
        return y;
    }

    /// <summary>dW += dyᵀ·x, db += column sums of dy; returns dx = dy·W [N, in] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> is not [N, out].</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var x = _kept.Take(this, gradOutput, _output!);
        int n = x.Dim(0), inF = InFeatures, outF = OutFeatures;
        float[] dy = gradOutput.Data;
        Gemm.Sgemm(true, false, outF, inF, n, 1f, dy, outF, x.Data, inF, 1f, Weight.Grad.Data, inF);
        if (Bias is not null)
        {
            var db = Bias.Grad.Data.AsSpan();
            for (int i = 0; i < n; i++) TensorPrimitives.Add(db, dy.AsSpan(i * outF, outF), db);
        }
        var dx = LayerHelpers.Ensure(ref _gradInput, n, inF);
        Gemm.Sgemm(false, false, n, inF, outF, 1f, dy, outF, Weight.Value.Data, inF, 0f, dx.Data, inF);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Linear({InFeatures}, {OutFeatures}, bias={Bias is not null})";
}
