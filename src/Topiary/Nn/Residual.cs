// Residual: y = body(x) + shortcut(x), shortcut = identity when null (ResNet blocks without the final ReLU).
//   Shapes: body(x) and shortcut(x) must have the same shape; that is the output shape.
//   Backward: dx = body.Backward(dy) + shortcut.Backward(dy)   (dy itself for the identity shortcut).
// Children: "body" and (when given) "shortcut". Output and input-gradient buffers are layer-owned.
// The additions run in fixed chunks on Threading.For (element-wise: the same for any thread count). Fused ReLU
// (Sequential runs a Residual followed by a ReLU as one layer in training): y = max(body + shortcut, 0) in one pass, and Backward
// first takes dy below the ReLU (as ReLU's backward), the same bits as the two layers apart.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A residual block y = body(x) + shortcut(x) (identity shortcut when none is given).</summary>
public sealed class Residual : Module, IFusesReLU
{
    private const int Chunk = 1 << 15;
    private Tensor? _output, _gradInput, _gradBelowReLU;
    private bool _ready, _fusedReLU;

    /// <summary>Creates the block.</summary>
    public Residual(Module body, Module? shortcut = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
        Shortcut = shortcut;
    }

    /// <summary>The main branch.</summary>
    public Module Body { get; }

    /// <summary>The shortcut branch (e.g. 1×1 conv + BN for a downsampling block), or null for identity.</summary>
    public Module? Shortcut { get; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        yield return ("body", Body);
        if (Shortcut is not null) yield return ("shortcut", Shortcut);
    }

    /// <summary>y = body(x) + shortcut(x) (layer-owned buffer).</summary>
    /// <exception cref="ArgumentException">The branch outputs have different shapes.</exception>
    public override Tensor Forward(Tensor input, bool training) => Forward(input, training, relu: false);

    /// <inheritdoc/>
    Tensor IFusesReLU.Forward(Tensor input, bool training, bool relu) => Forward(input, training, relu);

    private Tensor Forward(Tensor input, bool training, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ready = false;
        var b = Body.Forward(input, training);
        var s = Shortcut is null ? input : Shortcut.Forward(input, training);
        if (!b.SameShape(s))
            throw new ArgumentException(
                $"Residual: body output {Tensor.ShapeString(b.Shape)} and shortcut output {Tensor.ShapeString(s.Shape)} differ (input {Tensor.ShapeString(input.Shape)}).",
                nameof(input));
        var y = LayerHelpers.Ensure(ref _output, b.Shape);
        Add(b.Data, s.Data, y.Data, y.Length, relu);
        _fusedReLU = relu;
        _ready = training;
        return y;
    }

    /// <summary>dx = body.Backward(dy) + shortcut.Backward(dy) (layer-owned buffer).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        if (_fusedReLU)
        {
            var below = LayerHelpers.Ensure(ref _gradBelowReLU, gradOutput.Shape);
            ReLU.Gradient(_output!.Span, gradOutput.Span, below.Span);
            gradOutput = below;
        }
        var gb = Body.Backward(gradOutput);
        var gs = Shortcut is null ? gradOutput : Shortcut.Backward(gradOutput);
        if (!gb.SameShape(gs))
            throw new InvalidOperationException($"Residual: body and shortcut input gradients differ in shape ({Tensor.ShapeString(gb.Shape)} vs {Tensor.ShapeString(gs.Shape)}).");
        var dx = LayerHelpers.Ensure(ref _gradInput, gb.Shape);
        Add(gb.Data, gs.Data, dx.Data, dx.Length, relu: false);
        return dx;
    }

    // y = a + b, or max(a + b, 0) in the same sweep when relu, in chunks on the threads.
    private static void Add(float[] a, float[] b, float[] y, int n, bool relu) =>
        Threading.For(0, (n + Chunk - 1) / Chunk, i =>
        {
            int start = i * Chunk, count = Math.Min(Chunk, n - start);
            var to = y.AsSpan(start, count);
            if (relu) ReLULanes.AddMax0(a.AsSpan(start, count), b.AsSpan(start, count), to);
            else TensorPrimitives.Add(a.AsSpan(start, count), b.AsSpan(start, count), to);
        });

    /// <inheritdoc/>
    public override string ToString() => $"Residual(body={Body}, shortcut={(Shortcut?.ToString() ?? "identity")})";
}
