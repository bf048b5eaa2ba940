// ReduceMean: y = the mean of x over some axes (ONNX ReduceMean with noop_with_empty_axes = 0; PyTorch
// x.mean(dim=axes, keepdim=keepDims)). Any rank; negative axes count from the end; no axes = all axes.
//   y[j] = (1/K) Σ_{i reduced onto j} x[i],  K = product of the reduced dimensions;
//   output shape: reduced dims become 1 (keepDims) or are removed (rank 0 when every axis goes).
// Backward: dx[i] = dy[j(i)] / K. Output and gradient are layer-owned.
// Consecutive axes with the same role (reduced / kept) are merged, so the work is rows of a 2-D or 3-D problem:
// GlobalAveragePool-like means are TensorPrimitives.Sum over contiguous rows, batch means are row additions.
using System.Collections.ObjectModel;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The mean over some axes (ONNX ReduceMean); no axes means every axis.</summary>
public sealed class ReduceMean : Module
{
    private readonly int[] _axes;
    private int[]? _inputShape, _outShape, _dims, _outStrides;
    private bool _rowReduced;
    private float _scale;
    private Tensor? _output, _gradInput;
    private bool _ready;

    /// <summary>Creates the layer; e.g. <c>new ReduceMean([2, 3])</c> is global average pooling to [N, C, 1, 1].</summary>
    /// <param name="axes">The reduced axes (negative counts from the end); empty = all axes.</param>
    /// <param name="keepDims">Keep the reduced axes as size-1 dimensions (ONNX default) or remove them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="axes"/> is null.</exception>
    /// <exception cref="ArgumentException">An axis is listed twice (the value is named).</exception>
    public ReduceMean(int[] axes, bool keepDims = true)
    {
        ArgumentNullException.ThrowIfNull(axes);
        _axes = (int[])axes.Clone();
        for (int i = 0; i < _axes.Length; i++)
            if (Array.IndexOf(_axes, _axes[i]) != i)
                throw new ArgumentException($"ReduceMean: axes {Tensor.ShapeString(_axes)} lists axis {_axes[i]} twice.", nameof(axes));
        Axes = Array.AsReadOnly(_axes);
        KeepDims = keepDims;
    }

    /// <summary>The reduced axes as given; empty means all.</summary>
    public ReadOnlyCollection<int> Axes { get; }

    /// <summary>Whether reduced axes stay as size-1 dimensions.</summary>
    public bool KeepDims { get; }

    /// <summary>The mean over <see cref="Axes"/> (layer-owned, overwritten by the next call). A mean over 0 elements is NaN.</summary>
    /// <exception cref="ArgumentException">An axis is out of range for the input rank, or two axes name the same dimension.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_inputShape is null || !input.Shape.SequenceEqual(_inputShape)) Plan(input.Shape);
        var y = LayerHelpers.Ensure(ref _output, _outShape!);
        var x = input.Span;
        var yd = y.Span;
        yd.Clear();
        int n = _dims![^1];
        if (n > 0)
        {
            Span<int> index = stackalloc int[_dims.Length];
            for (int pos = 0, at = 0; pos < x.Length; pos += n)
            {
                var row = x.Slice(pos, n);
                if (_rowReduced) yd[at] += TensorPrimitives.Sum(row);
                else TensorPrimitives.Add(yd.Slice(at, n), row, yd.Slice(at, n));
                at = Advance(index);
            }
        }
        TensorPrimitives.Multiply(yd, _scale, yd);
        _ready = training;
        return y;
    }

    /// <summary>dx[i] = dy[j(i)] / K for the output element j(i) that x[i] was averaged into (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, _inputShape!);
        var dxd = dx.Data.AsSpan();
        var dy = gradOutput.Data.AsSpan();
        int n = _dims![^1];
        if (n > 0)
        {
            Span<int> index = stackalloc int[_dims.Length];
            for (int pos = 0, at = 0; pos < dxd.Length; pos += n)
            {
                var row = dxd.Slice(pos, n);
                if (_rowReduced) row.Fill(dy[at] * _scale);
                else TensorPrimitives.Multiply(dy.Slice(at, n), _scale, row);
                at = Advance(index);
            }
        }
        return dx;
    }

    // Resolves the axes for `shape`, merges runs of reduced / kept dimensions (size-1 dimensions join any run),
    // and records the output shape, the merged dimensions and their output strides (0 for reduced runs).
    private void Plan(ReadOnlySpan<int> shape)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        if (_axes.Length == 0) Array.Fill(reduced, true);
        foreach (int axis in _axes)
        {
            int a = axis < 0 ? axis + rank : axis;
            if ((uint)a >= (uint)rank)
                throw LayerHelpers.ShapeError(ToString(), $"rank > {(axis < 0 ? -axis - 1 : axis)} (axis {axis} out of range)", shape);
            if (reduced[a])
                throw LayerHelpers.ShapeError(ToString(), $"a rank at which axes {Tensor.ShapeString(_axes)} name distinct dimensions", shape);
            reduced[a] = true;
        }
        var outShape = new List<int>();
        var dims = new List<int>();
        var roles = new List<bool>();
        long count = 1;
        for (int a = 0; a < rank; a++)
        {
            if (reduced[a]) count *= shape[a];
            if (!reduced[a] || KeepDims) outShape.Add(reduced[a] ? 1 : shape[a]);
            if (shape[a] == 1) continue;
            if (dims.Count > 0 && roles[^1] == reduced[a]) dims[^1] *= shape[a];
            else
            {
                dims.Add(shape[a]);
                roles.Add(reduced[a]);
            }
        }
        if (dims.Count == 0)
        {
            dims.Add(1);
            roles.Add(true);
        }
        var strides = new int[dims.Count];
        for (int m = dims.Count - 1, s = 1; m >= 0; m--)
        {
            strides[m] = roles[m] ? 0 : s;
            if (!roles[m]) s *= dims[m];
        }
        _dims = [.. dims];
        _outStrides = strides;
        _rowReduced = roles[^1];
        _outShape = [.. outShape];
        _scale = count == 0 ? float.NaN : (float)(1.0 / count);
        _inputShape = shape.ToArray();
    }

    // Steps the odometer over the merged dimensions before the row; returns the output offset of the next row.
    private int Advance(Span<int> index)
    {
        for (int m = _dims!.Length - 2; m >= 0; m--)
        {
            if (++index[m] < _dims[m]) break;
            index[m] = 0;
        }
        int at = 0;
        for (int m = 0; m < _dims.Length - 1; m++) at += index[m] * _outStrides![m];
        return at;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ReduceMean(axes={Tensor.ShapeString(_axes)}, keepdims={(KeepDims ? 1 : 0)})";
}
