// BatchNorm: the shared implementation of BatchNorm1d/BatchNorm2d (PyTorch semantics), viewing the
// input as [N, C, S] (S = spatial size, 1 for [N, C]). Per channel c, with M = N·S values:
//   training:   μ = mean(x_c), σ² = mean((x_c − μ)²) (biased),  x̂ = (x − μ)/√(σ² + eps),  y = γ·x̂ + β
//               running_mean ← (1 − momentum)·running_mean + momentum·μ
//               running_var  ← (1 − momentum)·running_var  + momentum·σ²·M/(M − 1)   (unbiased, as PyTorch)
//   evaluation: y = γ·(x − running_mean)/√(running_var + eps) + β
//   backward (training): dγ += Σ dy·x̂,  dβ += Σ dy,
//               dx = γ/(M·√(σ² + eps)) · (M·dy − Σ dy − x̂·Σ dy·x̂)
// Each pass over a channel's spans is one sweep of BatchNormKernel. Channels run in parallel on Threading.For; each
// channel's sums are taken in a fixed order (double accumulation over samples), so results are deterministic.
// Output/gradient buffers are layer-owned; between a training Forward and Backward the layer keeps a reference to its
// input and μ, 1/√(σ² + eps) per channel, and the backward recomputes x̂ (bit for bit the forward's).
// Fused ReLU (IFusesReLU: Sequential runs a BatchNorm followed by a ReLU as one layer in training): the
// output is max(y, 0), applied to each span while it is in L1, and the backward takes dy below the ReLU (y > 0 ? dy : 0,
// y = x̂·γ + β recomputed with the forward's roundings and its γ, β: the optimizer steps after the backward) inside its
// passes — the same bits as the two layers apart, without their intermediate tensors, reading neither the output nor a mask.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Batch normalisation over the channel axis 1 (base of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>).</summary>
public abstract class BatchNorm : Module, IArenaOutput, IFusesReLU
{
    private Tensor? _output, _gradInput;
    private OutputSeat _seat;
    private KeptInput _input;
    private float[]? _mean, _invStd;
    private bool _fusedReLU;
    private Tensor _runningMean, _runningVar;
    private int _n, _s;

    /// <summary>Creates the layer with γ = 1, β = 0, running_mean = 0, running_var = 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">channels below 1, eps not positive, momentum outside [0, 1].</exception>
    protected BatchNorm(int channels, float eps, float momentum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        Eps = eps;
        Momentum = momentum;
        var w = new Tensor(channels);
        w.Fill(1f);
        Weight = new Parameter(w);
        Bias = new Parameter(new Tensor(channels));
        _runningMean = new Tensor(channels);
        _runningVar = new Tensor(channels);
        _runningVar.Fill(1f);
    }

    /// <summary>Scale γ, shape [C].</summary>
    public Parameter Weight { get; }

    /// <summary>Shift β, shape [C].</summary>
    public Parameter Bias { get; }

    /// <summary>Number of channels C (Weight length; follows structural shrinking).</summary>
    public int Channels => Weight.Value.Length;

    /// <summary>The ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the current batch in the running averages.</summary>
    public float Momentum { get; }

    /// <summary>Running mean buffer [C] (<c>running_mean</c>).</summary>
    /// <exception cref="ArgumentException">Set to a tensor whose shape is not [C].</exception>
    public Tensor RunningMean
    {
        get => _runningMean;
        set => _runningMean = CheckBuffer(value, nameof(RunningMean));
    }

    /// <summary>Running (unbiased) variance buffer [C] (<c>running_var</c>).</summary>
    /// <exception cref="ArgumentException">Set to a tensor whose shape is not [C].</exception>
    public Tensor RunningVar
    {
        get => _runningVar;
        set => _runningVar = CheckBuffer(value, nameof(RunningVar));
    }

    private Tensor CheckBuffer(Tensor value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank != 1 || value.Length != Channels)
            throw new ArgumentException($"{this}: {name} must have shape [{Channels}], got {Tensor.ShapeString(value.Shape)}.", nameof(value));
        return value;
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers()
    {
        yield return ("running_mean", _runningMean);
        yield return ("running_var", _runningVar);
    }

    /// <summary>A description such as <c>BatchNorm2d(64, eps=1E-05, momentum=0.1)</c>, used in error messages.</summary>
    public abstract override string ToString();

    /// <summary>Throws <see cref="ArgumentException"/> unless the input shape is valid for this layer.</summary>
    protected abstract void CheckInput(Tensor input);

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Normalises the input (see the file header for the formulas). Output has the input's shape (layer-owned).</summary>
    /// <exception cref="ArgumentException">Wrong shape, or training with a single value per channel.</exception>
    public override Tensor Forward(Tensor input, bool training) => Forward(input, training, relu: false);

    /// <inheritdoc/>
    Tensor IFusesReLU.Forward(Tensor input, bool training, bool relu) => Forward(input, training, relu);

    private Tensor Forward(Tensor input, bool training, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        _input.Keep(input, training: false);
        int n = input.Dim(0), c = Channels, s = input.Length / Math.Max(1, n * c);
        _n = n; _s = s;
        var y = _seat.Output(ref _output, training, input.Shape);
        float[] x = input.Data, yd = y.Data, gamma = Weight.Value.Data, beta = Bias.Value.Data;
        if (!training)
        {
            float[] rm = _runningMean.Data, rv = _runningVar.Data;
            Threading.For(0, c, ch =>
            {
                float scale = gamma[ch] / MathF.Sqrt(rv[ch] + Eps);
                float shift = beta[ch] - rm[ch] * scale;
                for (int i = 0; i < n; i++)
                {
                    int off = (i * c + ch) * s;
                    BatchNormKernel.Affine(x.AsSpan(off, s), scale, shift, yd.AsSpan(off, s));
                    if (relu) TensorPrimitives.Max(yd.AsSpan(off, s), 0f, yd.AsSpan(off, s));
                }
            });
            return y;
        }

        long m = (long)n * s;
        if (m <= 1)
            throw new ArgumentException($"{this}: expected more than 1 value per channel when training, got input shape {Tensor.ShapeString(input.Shape)}.", nameof(input));
        float[] means = LayerHelpers.Ensure(ref _mean, c), invStd = LayerHelpers.Ensure(ref _invStd, c);
        float[] runMean = _runningMean.Data, runVar = _runningVar.Data;
        float mom = Momentum;
        Threading.For(0, c, ch =>
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(x.AsSpan((i * c + ch) * s, s));
            float mean = (float)(sum / m);
            double sq = 0;
            for (int i = 0; i < n; i++) sq += BatchNormKernel.SquaredDeviation(x.AsSpan((i * c + ch) * s, s), mean);
            double variance = sq / m;
            float inv = (float)(1.0 / Math.Sqrt(variance + Eps));
            means[ch] = mean;
            invStd[ch] = inv;
            for (int i = 0; i < n; i++)
            {
                int off = (i * c + ch) * s;
                BatchNormKernel.Normalize(x.AsSpan(off, s), mean, inv, gamma[ch], beta[ch], yd.AsSpan(off, s), relu);
            }
            runMean[ch] = (1 - mom) * runMean[ch] + mom * mean;
            runVar[ch] = (float)((1 - mom) * runVar[ch] + mom * variance * m / (m - 1));
        });
        _input.Keep(input, training: true);
        _fusedReLU = relu;
        return y;
    }

    /// <summary>Accumulates dγ, dβ and returns dx (same shape as the input, layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        float[] x = _input.Take(this, gradOutput, _output!).Data;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        int n = _n, s = _s, c = Channels;
        long m = (long)n * s;
        float[] dy = gradOutput.Data, d = dx.Data, means = _mean!, invStd = _invStd!;
        bool fused = _fusedReLU;
        float[] gamma = Weight.Value.Data, beta = Bias.Value.Data, dGamma = Weight.Grad.Data, dBeta = Bias.Grad.Data;
        Threading.For(0, c, ch =>
        {
            double sumDy = 0, sumDyX = 0;
            ReLUAfter? relu = fused ? new ReLUAfter(gamma[ch], beta[ch]) : null;
            for (int i = 0; i < n; i++)
            {
                int off = (i * c + ch) * s;
                BatchNormKernel.SumAndDot(dy.AsSpan(off, s), x.AsSpan(off, s), means[ch], invStd[ch], relu, out float sum, out float dot);
                sumDy += sum;
                sumDyX += dot;
            }
            dGamma[ch] += (float)sumDyX;
            dBeta[ch] += (float)sumDy;
            float a = gamma[ch] * invStd[ch];
            float meanDy = (float)(sumDy / m), meanDyX = (float)(sumDyX / m);
            for (int i = 0; i < n; i++)
            {
                int off = (i * c + ch) * s;
                // dx = a·(dy − mean(dy) − x̂·mean(dy·x̂))
                BatchNormKernel.InputGradient(dy.AsSpan(off, s), x.AsSpan(off, s), means[ch], invStd[ch], relu, meanDy, meanDyX, a, d.AsSpan(off, s));
            }
        });
        return dx;
    }
}
