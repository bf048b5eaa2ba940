// OnnxTensors.ToInt64: INT64 and INT32 tensors read from raw_data (little-endian) or from their typed field, with
// the element count checked against the dims and other data types refused, each error naming the file and tensor.
using System.Buffers.Binary;
using Google.Protobuf;
using Topiary.Onnx;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Onnx;

public class OnnxTensorsTests
{
    private static TensorProto Proto(TensorProto.Types.DataType type, params long[] dims)
    {
        var t = new TensorProto { Name = "shape", DataType = (int)type };
        t.Dims.Add(dims);
        return t;
    }

    [Fact]
    public void Int64_is_read_from_raw_data_and_from_int64_data()
    {
        long[] values = [long.MinValue, -1, 0, 7, long.MaxValue];
        var raw = Proto(TensorProto.Types.DataType.Int64, values.Length);
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        raw.RawData = ByteString.CopyFrom(bytes);
        Assert.Equal(values, OnnxTensors.ToInt64(raw, "m.onnx"));

        var typed = Proto(TensorProto.Types.DataType.Int64, values.Length);
        typed.Int64Data.Add(values);
        Assert.Equal(values, OnnxTensors.ToInt64(typed, "m.onnx"));
    }

    [Fact]
    public void Int32_is_widened_from_raw_data_and_from_int32_data()
    {
        int[] values = [int.MinValue, -1, 0, 7, int.MaxValue];
        var raw = Proto(TensorProto.Types.DataType.Int32, values.Length);
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        raw.RawData = ByteString.CopyFrom(bytes);
        Assert.Equal(values.Select(v => (long)v), OnnxTensors.ToInt64(raw, "m.onnx"));

        var typed = Proto(TensorProto.Types.DataType.Int32, values.Length);
        typed.Int32Data.Add(values);
        Assert.Equal(values.Select(v => (long)v), OnnxTensors.ToInt64(typed, "m.onnx"));
    }

    [Fact]
    public void Counts_that_do_not_match_the_dims_and_other_types_are_refused()
    {
        var raw32 = Proto(TensorProto.Types.DataType.Int32, 3);
        raw32.RawData = ByteString.CopyFrom(new byte[8]);
        var ex = Assert.Throws<InvalidDataException>(() => OnnxTensors.ToInt64(raw32, "m.onnx"));
        Assert.Equal("m.onnx: tensor 'shape' raw_data has 8 bytes; 3 INT32 values need 12.", ex.Message);

        var raw64 = Proto(TensorProto.Types.DataType.Int64, 2);
        raw64.RawData = ByteString.CopyFrom(new byte[12]);
        ex = Assert.Throws<InvalidDataException>(() => OnnxTensors.ToInt64(raw64, "m.onnx"));
        Assert.Equal("m.onnx: tensor 'shape' raw_data has 12 bytes; 2 INT64 values need 16.", ex.Message);

        var typed = Proto(TensorProto.Types.DataType.Int32, 3);
        typed.Int32Data.Add([1, 2]);
        ex = Assert.Throws<InvalidDataException>(() => OnnxTensors.ToInt64(typed, "m.onnx"));
        Assert.Equal("m.onnx: tensor 'shape' has 2 int32_data values; 3 expected.", ex.Message);

        var floats = Proto(TensorProto.Types.DataType.Float, 1);
        floats.FloatData.Add(1f);
        ex = Assert.Throws<InvalidDataException>(() => OnnxTensors.ToInt64(floats, "m.onnx"));
        Assert.Equal("m.onnx: tensor 'shape' has data type FLOAT; INT64 expected.", ex.Message);
    }
}
