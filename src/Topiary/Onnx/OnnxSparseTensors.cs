// OnnxSparseTensors: SparseTensorProto (COO) initializers ↔ dense float tensors.
//   Written: values FLOAT [NNZ] named after the initializer, indices INT64 [NNZ] linear row-major indices in
//   strictly ascending order, dims = the dense shape.
//   Read: values FLOAT [NNZ]; indices INT64/INT32 either [NNZ] linear indices or [NNZ, rank] coordinates, strictly
//   ascending (no duplicates), each inside the dense shape; the result is the dense TensorProto (zeros elsewhere).
// Errors: any violation → InvalidDataException naming the file and the initializer.
using Topiary.Onnx.Proto;

namespace Topiary.Onnx;

internal static class OnnxSparseTensors
{
    /// <summary>Fraction of non-zero entries of <paramref name="values"/> (1 for an empty tensor).</summary>
    public static double Density(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return 1;
        int nnz = 0;
        foreach (float v in values) if (v != 0) nnz++;
        return nnz / (double)values.Length;
    }

    /// <summary>The COO form of a dense float tensor: the non-zero values and their linear indices.</summary>
    public static SparseTensorProto FromDense(string name, ReadOnlySpan<float> values, ReadOnlySpan<int> dims)
    {
        var nonzero = new List<float>();
        var indices = new List<long>();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] == 0) continue;
            nonzero.Add(values[i]);
            indices.Add(i);
        }
        var idx = new TensorProto { Name = name + "_indices", DataType = (int)TensorProto.Types.DataType.Int64 };
        idx.Dims.Add(indices.Count);
        var bytes = new byte[indices.Count * 8];
        for (int i = 0; i < indices.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), indices[i]);
        idx.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        var sparse = new SparseTensorProto
        {
            Values = OnnxTensors.FromFloats(name, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nonzero), [nonzero.Count]),
            Indices = idx,
        };
        foreach (int d in dims) sparse.Dims.Add(d);
        return sparse;
    }

    /// <summary>Validates a sparse initializer and expands it to a dense FLOAT TensorProto of the same name.</summary>
    /// <exception cref="InvalidDataException">Missing values/indices, wrong types or shapes, an index out of range or out of order.</exception>
    public static TensorProto ToDense(SparseTensorProto sparse, string file)
    {
        string name = sparse.Values?.Name ?? "";
        string what = $"{file}: sparse initializer '{name}'";
        if (sparse.Values is null || name.Length == 0) throw new InvalidDataException($"{what}: field 'values' is missing or has no name.");
        if (sparse.Indices is null) throw new InvalidDataException($"{what}: field 'indices' is missing.");
        var shape = new TensorProto { Name = name };
        shape.Dims.Add(sparse.Dims);
        int[] dims = OnnxTensors.Dims(shape, file);
        long total = 1;
        foreach (int d in dims) total *= d;
        if (total > Array.MaxLength) throw new InvalidDataException($"{what}: dense shape {Tensors.Tensor.ShapeString(dims)} is too large.");

        var values = OnnxTensors.ToTensor(sparse.Values, file);
        if (sparse.Values.Dims.Count != 1)
            throw new InvalidDataException($"{what}: values must have shape [NNZ]; got {sparse.Values.Dims.Count} dimensions.");
        int nnz = values.Length;
        long[] raw = OnnxTensors.ToInt64(sparse.Indices, file);
        int rank = dims.Length;
        bool coordinates = sparse.Indices.Dims.Count == 2;
        if (sparse.Indices.Dims.Count is not (1 or 2) || (coordinates && sparse.Indices.Dims[1] != rank))
            throw new InvalidDataException($"{what}: indices must have shape [NNZ] or [NNZ, {rank}]; got [{string.Join(", ", sparse.Indices.Dims)}].");
        if (sparse.Indices.Dims[0] != nnz)
            throw new InvalidDataException($"{what}: {sparse.Indices.Dims[0]} indices for {nnz} values; the counts must be equal.");

        var dense = new float[total];
        long previous = -1;
        for (int i = 0; i < nnz; i++)
        {
            long linear;
            if (coordinates)
            {
                linear = 0;
                for (int d = 0; d < rank; d++)
                {
                    long c = raw[(long)i * rank + d];
                    if (c < 0 || c >= dims[d])
                        throw new InvalidDataException($"{what}: index {i} coordinate {d} = {c} is outside [0, {dims[d]}).");
                    linear = linear * dims[d] + c;
                }
            }
            else
            {
                linear = raw[i];
                if (linear < 0 || linear >= total)
                    throw new InvalidDataException($"{what}: index {i} = {linear} is outside [0, {total}).");
            }
            if (linear <= previous)
                throw new InvalidDataException($"{what}: indices must be strictly ascending; index {i} ({linear}) follows {previous}.");
            previous = linear;
            dense[linear] = values.Data[i];
        }
        return OnnxTensors.FromFloats(name, dense, dims);
    }
}
