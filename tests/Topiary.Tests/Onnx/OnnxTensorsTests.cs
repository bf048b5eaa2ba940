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

    // values little-endian in raw_data, `width` bytes each (8: INT64, 4: INT32).
    private static TensorProto Raw(int width, long[] values)
    {
        var t = Proto(width == 8 ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Int32, values.Length);
        var bytes = new byte[width * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (width == 8) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
            else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), checked((int)values[i]));
        }
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void Integers_are_read_from_raw_data_and_widened(int width)
    {
        long[] values = width == 8 ? [long.MinValue, -1, 0, 7, long.MaxValue] : [int.MinValue, -1, 0, 7, int.MaxValue];
        Assert.Equal(values, OnnxTensors.ToInt64(Raw(width, values), "m.onnx"));
    }

    [Fact]
    public void Integers_are_read_from_int64_data_and_int32_data()
    {
        var int64 = Proto(TensorProto.Types.DataType.Int64, 3);
        int64.Int64Data.Add([long.MinValue, 5, long.MaxValue]);
        Assert.Equal([long.MinValue, 5, long.MaxValue], OnnxTensors.ToInt64(int64, "m.onnx"));

        var int32 = Proto(TensorProto.Types.DataType.Int32, 3);
        int32.Int32Data.Add([int.MinValue, 5, int.MaxValue]);
        Assert.Equal([int.MinValue, 5L, int.MaxValue], OnnxTensors.ToInt64(int32, "m.onnx"));
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
