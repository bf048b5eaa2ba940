// Slice: y = x[start:end:step] along the listed axes, every other axis whole (ONNX Slice, opset 10+ semantics;
// PyTorch basic indexing x[..., a:b:s], with negative steps allowed as in ONNX). Any rank.
// Per sliced axis of size d (ONNX's rules, in this order):
//   start < 0 → start += d;  end < 0 → end += d;
//   step > 0: start, end clamped to [0, d];   step < 0: start clamped to [0, d−1], end to [−1, d−1];
//   output size = max(0, ceil((end − start) / step));  y index o reads x index start + o·step.
// So long.MaxValue as end means "to the end" (step > 0) and long.MinValue "to the beginning" (step < 0).
// Backward: dx = 0 except the sliced positions, which receive dy. Output and gradient are layer-owned copies.
// This file builds the AxisIndexMap for an input shape; IndexMapLayer runs Forward (gather) and Backward (scatter).
using System.Collections.ObjectModel;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Takes a strided sub-range of some axes of its input, with ONNX Slice's index rules.</summary>
/// <remarks>
/// Forward: y = x sliced, unlisted axes kept whole; it throws <see cref="ArgumentException"/> when an axis is out of
/// range for the input rank or two entries name the same axis. Backward: dx = 0 with dy written at the sliced positions.
/// </remarks>
public sealed class Slice : IndexMapLayer
{
    private readonly long[] _starts, _ends, _axes, _steps;

    /// <summary>Creates the layer; e.g. <c>new Slice([-1], [long.MinValue], [1], [-1])</c> reverses axis 1.</summary>
    /// <param name="starts">First index per listed axis (negative counts from the end; clamped).</param>
    /// <param name="ends">Exclusive end index per listed axis (negative counts from the end; clamped).</param>
    /// <param name="axes">The axes (negative counts from the end); null means 0, 1, ..., starts.Length − 1.</param>
    /// <param name="steps">Step per listed axis (non-zero; negative walks backwards); null means all 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="starts"/> or <paramref name="ends"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, a step is 0, or an axis is listed twice (the value is named).</exception>
    public Slice(long[] starts, long[] ends, long[]? axes = null, long[]? steps = null)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(ends);
        _starts = (long[])starts.Clone();
        _ends = (long[])ends.Clone();
        _axes = axes is null ? Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray() : (long[])axes.Clone();
        _steps = steps is null ? Enumerable.Repeat(1L, starts.Length).ToArray() : (long[])steps.Clone();
        if (_ends.Length != _starts.Length || _axes.Length != _starts.Length || _steps.Length != _starts.Length)
            throw new ArgumentException(
                $"Slice: starts ({_starts.Length} values), ends ({_ends.Length}), axes ({_axes.Length}) and steps ({_steps.Length}) must have the same length.", nameof(ends));
        int zero = Array.IndexOf(_steps, 0L);
        if (zero >= 0) throw new ArgumentException($"Slice: steps [{string.Join(", ", _steps)}] has a 0 at position {zero}; a step must be non-zero.", nameof(steps));
        for (int i = 0; i < _axes.Length; i++)
        {
            if (_axes[i] < int.MinValue || _axes[i] > int.MaxValue)
                throw new ArgumentException($"Slice: axis {_axes[i]} is out of range.", nameof(axes));
            if (Array.IndexOf(_axes, _axes[i]) != i)
                throw new ArgumentException($"Slice: axes [{string.Join(", ", _axes)}] lists axis {_axes[i]} twice.", nameof(axes));
        }
        Starts = Array.AsReadOnly(_starts);
        Ends = Array.AsReadOnly(_ends);
        Axes = Array.AsReadOnly(_axes);
        Steps = Array.AsReadOnly(_steps);
    }

    /// <summary>First index per listed axis, as given.</summary>
    public ReadOnlyCollection<long> Starts { get; }

    /// <summary>Exclusive end index per listed axis, as given.</summary>
    public ReadOnlyCollection<long> Ends { get; }

    /// <summary>The sliced axes, as given (negative counts from the end).</summary>
    public ReadOnlyCollection<long> Axes { get; }

    /// <summary>Step per listed axis.</summary>
    public ReadOnlyCollection<long> Steps { get; }

    private protected override AxisIndexMap BuildMap(ReadOnlySpan<int> shape)
    {
        int rank = shape.Length;
        var stride = AxisIndexMap.Strides(shape);
        var offsets = new int[rank][];
        for (int i = 0; i < _axes.Length; i++)
        {
            long axis = _axes[i] < 0 ? _axes[i] + rank : _axes[i];
            if (axis < 0 || axis >= rank)
                throw LayerHelpers.ShapeError(ToString(), $"rank > {(_axes[i] < 0 ? -_axes[i] - 1 : _axes[i])} (axis {_axes[i]} out of range)", shape);
            if (offsets[axis] is not null)
                throw LayerHelpers.ShapeError(ToString(), $"a rank at which axes [{string.Join(", ", _axes)}] name distinct axes", shape);
            var (start, count) = Range(shape[(int)axis], _starts[i], _ends[i], _steps[i]);
            var t = offsets[axis] = new int[count];
            for (int o = 0; o < count; o++) t[o] = (int)(start + o * _steps[i]) * stride[axis];
        }
        for (int a = 0; a < rank; a++)
        {
            if (offsets[a] is not null) continue;
            var t = offsets[a] = new int[shape[a]];
            for (int o = 0; o < t.Length; o++) t[o] = o * stride[a];
        }
        return new AxisIndexMap(shape.ToArray(), offsets);
    }

    /// <summary>ONNX Slice's clamped start and element count for one axis of size <paramref name="dim"/>.</summary>
    internal static (long Start, int Count) Range(int dim, long start, long end, long step)
    {
        if (dim == 0) return (0, 0);
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            return (start, end <= start ? 0 : (int)((end - start - 1) / step + 1));
        }
        start = Math.Clamp(start, 0, dim - 1);
        end = Math.Clamp(end, -1, dim - 1);
        long magnitude = step == long.MinValue ? long.MaxValue : -step;
        return (start, start <= end ? 0 : (int)((start - end - 1) / magnitude + 1));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Slice(starts=[{string.Join(", ", _starts)}], ends=[{string.Join(", ", _ends)}], axes=[{string.Join(", ", _axes)}], steps=[{string.Join(", ", _steps)}])";
}
