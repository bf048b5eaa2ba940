// Dropout: inverted dropout (PyTorch nn.Dropout), any shape.
//   training: y = x · m / (1 − p), m ~ Bernoulli(1 − p) per element;  evaluation: y = x (the input itself).
//   Backward: dx = dy · m / (1 − p).  p = 1 drops everything (y = 0).
// The mask is a pure function of (seed, number of training Forward calls so far, element index) —
// a SplitMix64 hash — so the same seed gives the same sequence of masks on every run and thread count.
// RowOffset (data-parallel training): the input is rows [RowOffset, RowOffset + N) of a larger global batch, and row i
// gets the mask of global row RowOffset + i, so ranks sharing a global batch draw exactly the single-process masks.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Inverted dropout with a deterministic, seeded mask sequence.</summary>
public sealed class Dropout : Module
{
    private Tensor? _output, _gradInput, _scale;
    private float _p;
    private long _step;
    private bool _ready;

    /// <summary>Creates a dropout layer dropping each element with probability <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(float p, int seed)
    {
        P = p;
        Seed = seed;
    }

    /// <summary>Drop probability in [0, 1]. Settable (pruning rescales dropout with layer capacity).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Value outside [0, 1].</exception>
    public float P
    {
        get => _p;
        set
        {
            if (!(value >= 0f && value <= 1f)) throw new ArgumentOutOfRangeException(nameof(value), value, "Dropout probability must be in [0, 1].");
            _p = value;
        }
    }

    /// <summary>The seed of the mask sequence.</summary>
    public int Seed { get; }

    /// <summary>Number of training-mode Forward calls so far (the position in the mask sequence). Settable to resume.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative value.</exception>
    public long Step
    {
        get => _step;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _step = value;
        }
    }

    /// <summary>
    /// Position of the input's first row in the global batch (data-parallel shares); 0 for an ordinary batch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative value.</exception>
    public int RowOffset
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>
    /// Evaluation: returns <paramref name="input"/> itself. Training: returns x·m/(1−p) in a layer-owned buffer
    /// (overwritten by the next call) and advances <see cref="Step"/>.
    /// </summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ready = false;
        if (!training) return input;
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        var scale = LayerHelpers.Ensure(ref _scale, input.Shape);
        float keep = _p >= 1f ? 0f : 1f / (1f - _p);
        // Keep when the 24-bit uniform u satisfies u >= p·2^24.
        uint threshold = (uint)Math.Min(1u << 24, Math.Ceiling(_p * (double)(1 << 24)));
        ulong baseKey = Mix(((ulong)(uint)Seed << 32) ^ (ulong)_step * 0x9E3779B97F4A7C15UL);
        var s = scale.Data;
        ulong first = input.Rank == 0 || input.Dim(0) == 0 ? 0 : (ulong)RowOffset * (ulong)(s.Length / input.Dim(0));
        for (int i = 0; i < s.Length; i++)
        {
            uint u = (uint)(Mix(baseKey + (first + (ulong)i) * 0xD1B54A32D192ED03UL) >> 40);
            s[i] = u >= threshold ? keep : 0f;
        }
        TensorPrimitives.Multiply(input.Span, s, y.Span);
        _step++;
        _ready = true;
        return y;
    }

    /// <summary>dx = dy·m/(1−p) with the mask of the last training Forward (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        TensorPrimitives.Multiply(gradOutput.Data, _scale!.Data, dx.Data);
        return dx;
    }

    // SplitMix64 finaliser.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"Dropout(p={P})");
}
