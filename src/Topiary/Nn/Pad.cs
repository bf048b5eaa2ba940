// Pad: pads (or crops) every axis of its input (ONNX Pad, opset 11+ semantics; PyTorch F.pad). Any rank r = pads.Length / 2.
//   pads = [x1_begin, x2_begin, ..., xr_begin, x1_end, x2_end, ..., xr_end] (ONNX layout, one pair per axis);
//   output dim a = d_a + begin_a + end_a.
// Negative pads crop: they are applied first (as ONNX Runtime does), and the positive pads then extend the cropped
// range c = d − max(0, −begin) − max(0, −end). Positions past the cropped range are
//   Constant: the value;   Edge: the nearest element (needs c ≥ 1);   Reflect: mirrored about the first/last element
//   without repeating it (needs begin, end ≤ c − 1, as in ONNX Runtime and PyTorch).
// Backward: dx = the adjoint — each dy element goes to the input element it copied (reflect/edge borders add up),
// constant border positions and cropped input positions get none. Output and gradient are layer-owned copies.
// This file builds the AxisIndexMap for an input shape; IndexMapLayer runs Forward (gather) and Backward (scatter).
using System.Collections.ObjectModel;
using System.Globalization;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Pads or crops every axis of its input with ONNX Pad's <c>pads</c> layout and constant / reflect / edge modes.</summary>
/// <remarks>
/// Forward: the padded (and/or cropped) input; it throws <see cref="ArgumentException"/> when the input rank is not
/// pads.Length / 2, a crop removes more than a whole axis, or a reflect/edge pad is too large for the (cropped) axis.
/// Backward: dx[i] = Σ dy over the output positions that copied x[i].
/// </remarks>
public sealed class Pad : IndexMapLayer
{
    private readonly long[] _pads;

    /// <summary>Creates the layer; e.g. <c>new Pad([0, 0, 1, 2, 0, 0, 1, 2], PadMode.Reflect)</c> pads H and W of NCHW by 1 before and 2 after.</summary>
    /// <param name="pads">[x1_begin, ..., xr_begin, x1_end, ..., xr_end] for an input of rank r; negative entries crop.</param>
    /// <param name="mode">How the border is filled.</param>
    /// <param name="value">The fill value of <see cref="PadMode.Constant"/> (any float, including infinities).</param>
    /// <exception cref="ArgumentNullException"><paramref name="pads"/> is null.</exception>
    /// <exception cref="ArgumentException">An odd number of pads, a pad beyond ±int.MaxValue, or an undefined mode (the value is named).</exception>
    public Pad(long[] pads, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(pads);
        if (pads.Length % 2 != 0)
            throw new ArgumentException($"Pad: pads [{string.Join(", ", pads)}] has {pads.Length} values; expected 2 per axis (all begins, then all ends).", nameof(pads));
        foreach (long p in pads)
            if (p < -int.MaxValue || p > int.MaxValue)
                throw new ArgumentException($"Pad: pad {p} is out of range.", nameof(pads));
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"Pad: undefined mode {(int)mode}.", nameof(mode));
        _pads = (long[])pads.Clone();
        Pads = Array.AsReadOnly(_pads);
        Mode = mode;
        Value = value;
    }

    /// <summary>The pads as given: all begins, then all ends.</summary>
    public ReadOnlyCollection<long> Pads { get; }

    /// <summary>The border mode.</summary>
    public PadMode Mode { get; }

    /// <summary>The fill value of <see cref="PadMode.Constant"/>.</summary>
    public float Value { get; }

    private protected override float Fill => Value;

    private protected override AxisIndexMap BuildMap(ReadOnlySpan<int> shape)
    {
        int rank = _pads.Length / 2;
        if (shape.Length != rank) throw LayerHelpers.ShapeError(ToString(), $"a rank-{rank} tensor ({_pads.Length} pads)", shape);
        var stride = AxisIndexMap.Strides(shape);
        var offsets = new int[rank][];
        for (int a = 0; a < rank; a++)
        {
            long begin = _pads[a], end = _pads[rank + a], d = shape[a];
            long lo = Math.Max(0, -begin), kept = d - lo - Math.Max(0, -end);
            long before = Math.Max(0, begin), after = Math.Max(0, end);
            if (kept < 0)
                throw LayerHelpers.ShapeError(ToString(), $"axis {a} of size >= {lo + Math.Max(0, -end)} (pads {begin} and {end} crop it)", shape);
            if (Mode == PadMode.Edge && kept == 0 && before + after > 0)
                throw LayerHelpers.ShapeError(ToString(), $"axis {a} non-empty after cropping (edge padding {before}, {after} repeats its border)", shape);
            if (Mode == PadMode.Reflect && (before > kept - 1 || after > kept - 1))
                throw LayerHelpers.ShapeError(ToString(), $"axis {a} of size > {Math.Max(before, after)} after cropping (reflect pads {begin}, {end} must be smaller than the axis)", shape);
            long outDim = kept + before + after;
            if (outDim > int.MaxValue) throw LayerHelpers.ShapeError(ToString(), $"axis {a} small enough to pad by {begin} and {end}", shape);
            var t = offsets[a] = new int[outDim];
            for (int o = 0; o < t.Length; o++)
            {
                long j = o - before;   // position in the cropped range [0, kept)
                if (j < 0 || j >= kept)
                    j = Mode switch
                    {
                        PadMode.Edge => j < 0 ? 0 : kept - 1,
                        PadMode.Reflect => j < 0 ? -j : 2 * (kept - 1) - j,
                        _ => -1,
                    };
                t[o] = j < 0 ? AxisIndexMap.Missing : (int)(lo + j) * stride[a];
            }
        }
        return new AxisIndexMap(shape.ToArray(), offsets);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Pad(pads=[{string.Join(", ", _pads)}], mode={Mode}, value={Value})");
}
