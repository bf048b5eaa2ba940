// Flatten: [N, d1, d2, ...] → [N, d1·d2·...] (PyTorch nn.Flatten(start_dim=1)). Forward returns a
// view sharing the input's storage; Backward returns a view of the gradient with the input's shape.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Flattens every dimension after the batch axis: [N, ...] → [N, prod(...)]. No copies.</summary>
public sealed class Flatten : Module
{
    private Tensor? _outView, _gradView;
    private int[]? _inputShape;
    private bool _ready;

    /// <summary>Returns a [N, prod] view of <paramref name="input"/> (shares storage).</summary>
    /// <exception cref="ArgumentException">Input rank below 2.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2) throw LayerHelpers.ShapeError(ToString(), "[N, d1, ...] (rank >= 2)", input.Shape);
        int n = input.Dim(0), rest = 1;
        for (int i = 1; i < input.Rank; i++) rest *= input.Dim(i);
        if (_inputShape is null || !input.Shape.SequenceEqual(_inputShape)) _inputShape = input.Shape.ToArray();
        if (_outView is null || _outView.Data != input.Data || _outView.Dim(0) != n || _outView.Dim(1) != rest)
            _outView = new Tensor(input.Data, n, rest);
        _ready = training;
        return _outView;
    }

    /// <summary>Returns <paramref name="gradOutput"/> viewed with the input's shape.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _outView!);
        _ready = false;
        if (_gradView is null || _gradView.Data != gradOutput.Data || !_gradView.Shape.SequenceEqual(_inputShape))
            _gradView = new Tensor(gradOutput.Data, _inputShape!);
        return _gradView;
    }

    /// <inheritdoc/>
    public override string ToString() => "Flatten()";
}
