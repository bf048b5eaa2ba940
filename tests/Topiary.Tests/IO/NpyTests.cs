// NPY reader and writer: what NpyWriter writes reads back bit-exactly (float32 with NaN payloads, signed zeros,
// infinities and subnormals; int64 extremes), byte-for-byte in numpy.save's layout; files built by hand from the format
// description (numpy.lib.format) read correctly — versions 1.0, 2.0 and 3.0, every supported dtype, big-endian
// variants, Python 2 long suffixes, double quotes, no padding; and every malformed file is an InvalidDataException
// naming the file and the field, raised before any allocation the file's size does not justify.
using System.Buffers.Binary;
using System.Text;
using Topiary.IO;

namespace Topiary.Tests.IO;

public sealed class NpyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An NPY file built from the spec: magic, version, little-endian header length, the header text as given, the data.</summary>
    internal static byte[] Build(string header, byte[] data, int major = 1, Encoding? encoding = null)
    {
        byte[] text = (encoding ?? Encoding.Latin1).GetBytes(header);
        int lengthBytes = major == 1 ? 2 : 4;
        var file = new byte[8 + lengthBytes + text.Length + data.Length];
        NpyReader.Magic.CopyTo(file);
        file[6] = (byte)major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)text.Length);
        text.CopyTo(file, 8 + lengthBytes);
        data.CopyTo(file, 8 + lengthBytes + text.Length);
        return file;
    }

    private static byte[] Floats(bool bigEndian, params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), values[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] Doubles(bool bigEndian, params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
            if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(8 * i), values[i]);
            else BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    private static byte[] Longs(bool bigEndian, params long[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
            if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8 * i), values[i]);
            else BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    private string Save(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 7 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 2, 0, 5 })]
    [InlineData(new[] { 3, 1, 4, 5 })]
    public void Float32_round_trips_bit_exactly(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        float[] special = [float.NaN, BitConverter.Int32BitsToSingle(0x7FC12345), -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -1.5e-39f, float.MaxValue];
        var values = Enumerable.Range(0, count).Select(i => i < special.Length ? special[i] : MathF.Sin(i) * 1000).ToArray();
        string path = _dir.File("a.npy");
        NpyWriter.Write(path, values, shape);
        var a = NpyReader.Read(path);
        Assert.Equal(shape, a.Shape.ToArray());
        Assert.Equal(NpyDtype.Float32, a.Dtype);
        Assert.Equal("<f4", a.Descr);
        Assert.Equal(1, a.Version);
        Assert.Null(a.Int64Values);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), a.Values.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Int64_round_trips_exactly()
    {
        long[] values = [long.MinValue, -1, 0, 1, (1L << 24) + 1, long.MaxValue];
        var a = NpyReader.Parse(NpyWriter.ToBytes(values, [2, 3]), "labels.npy");
        Assert.Equal(NpyDtype.Int64, a.Dtype);
        Assert.Equal("<i8", a.Descr);
        Assert.Equal(values, a.Int64Values);
        Assert.Equal(values.Select(v => (float)v), a.Values);
    }

    [Fact]
    public void Writer_lays_the_file_out_like_numpy_save()
    {
        // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)): version 1.0, the dict padded with spaces to a 64-byte
        // boundary, '\n' last.
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        string header = dict + new string(' ', 128 - 10 - dict.Length - 1) + "\n";
        byte[] expected = Build(header, Floats(false, 0, 1, 2, 3, 4, 5));
        Assert.Equal(expected, NpyWriter.ToBytes([0f, 1, 2, 3, 4, 5], [2, 3]));

        byte[] oneD = NpyWriter.ToBytes([1L, 2, 3], [3]);
        Assert.Contains("'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", Encoding.Latin1.GetString(oneD), StringComparison.Ordinal);
        Assert.Equal(0, (10 + BinaryPrimitives.ReadUInt16LittleEndian(oneD.AsSpan(8))) % 64);
        Assert.Contains("'shape': (), }", Encoding.Latin1.GetString(NpyWriter.ToBytes([42f], [])), StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_a_shape_that_does_not_hold_the_values()
    {
        Assert.Throws<ArgumentException>(() => NpyWriter.ToBytes([1f, 2, 3], [2, 2]));
        Assert.Throws<ArgumentException>(() => NpyWriter.ToBytes([1f, 2, 3], [-3]));
    }

    [Fact]
    public void Hand_built_files_of_every_version_and_dtype_read_correctly()
    {
        // 1.0, float64, no padding and no newline.
        var f8 = NpyReader.Parse(Build("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", Doubles(false, 0.5, -2, 1e300)), "f8.npy");
        Assert.Equal(NpyDtype.Float64, f8.Dtype);
        Assert.Equal([0.5f, -2f, float.PositiveInfinity], f8.Values);

        // 2.0 (32-bit header length), uint8, double quotes, a header padded with spaces and '\n'.
        var u1 = NpyReader.Parse(Build("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2, 2), }" + new string(' ', 40) + "\n", [0, 7, 128, 255], major: 2), "u1.npy");
        Assert.Equal(2, u1.Version);
        Assert.Equal(NpyDtype.UInt8, u1.Dtype);
        Assert.Equal([2, 2], u1.Shape.ToArray());
        Assert.Equal([0f, 7, 128, 255], u1.Values);

        // 3.0 (UTF-8 header), int64, keys in another order, Python 2 long dimensions.
        var i8 = NpyReader.Parse(Build("{'shape': (1L, 2L), 'fortran_order': False, 'descr': '<i8'}\n", Longs(false, -5, 1L << 40), major: 3, Encoding.UTF8), "i8.npy");
        Assert.Equal(3, i8.Version);
        Assert.Equal([-5L, 1L << 40], i8.Int64Values!);

        // A scalar: shape ().
        var scalar = NpyReader.Parse(Build("{'descr': '<f4', 'fortran_order': False, 'shape': ()}\n", Floats(false, 3.25f)), "s.npy");
        Assert.Equal(0, scalar.Rank);
        Assert.Equal([3.25f], scalar.Values);
    }

    [Fact]
    public void Big_endian_files_are_converted()
    {
        var f4 = NpyReader.Parse(Build("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }\n", Floats(true, 1.5f, -0f, float.MaxValue)), "be4.npy");
        Assert.Equal(">f4", f4.Descr);
        Assert.Equal(NpyDtype.Float32, f4.Dtype);
        Assert.Equal([1.5f, -0f, float.MaxValue], f4.Values);
        Assert.True(float.IsNegative(f4.Values[1]));
        var f8 = NpyReader.Parse(Build("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n", Doubles(true, 0.1, -3)), "be8.npy");
        Assert.Equal([0.1f, -3f], f8.Values);
        var i8 = NpyReader.Parse(Build("{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }\n", Longs(true, -2, long.MaxValue)), "bei8.npy");
        Assert.Equal([-2L, long.MaxValue], i8.Int64Values!);
    }

    public static TheoryData<string, byte[], string> Malformed()
    {
        const string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
        byte[] two = Floats(false, 1, 2);
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "magic" },
            { "not npy", "PK\x03\x04 not numpy"u8.ToArray(), "magic" },
            { "version 4.0", Build(ok, two).Select((b, i) => i == 6 ? (byte)4 : b).ToArray(), "version" },
            { "version 1.1", Build(ok, two).Select((b, i) => i == 7 ? (byte)1 : b).ToArray(), "version" },
            { "length field cut", Build(ok, two)[..9], "header length" },
            { "header longer than the file", Build(ok, two)[..40], "header length" },
            { "fortran order", Build("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", two), "header 'fortran_order'" },
            { "fortran order not a bool", Build("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }\n", two), "header 'fortran_order'" },
            { "int32", Build("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", two), "header 'descr'" },
            { "float16", Build("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }\n", two), "header 'descr'" },
            { "structured", Build("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", two), "header 'descr'" },
            { "descr not a string", Build("{'descr': 4, 'fortran_order': False, 'shape': (2,), }\n", two), "header 'descr'" },
            { "negative dimension", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", two), "header 'shape'" },
            { "dimension above int", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n", two), "header 'shape'" },
            { "shape not a tuple", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }\n", two), "header 'shape'" },
            { "shape a list", Build("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }\n", two), "header 'shape'" },
            { "dimension not an integer", Build("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }\n", two), "header 'shape'" },
            { "huge shape", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }\n", two), "header 'shape'" },
            { "shape larger than the data", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }\n", two), "data length" },
            { "data cut", Build(ok, two[..7]), "data length" },
            { "trailing data", Build(ok, [.. two, 0]), "data length" },
            { "missing key", Build("{'descr': '<f4', 'shape': (2,), }\n", two), "'fortran_order' is missing" },
            { "extra key", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", two), "unexpected key 'x'" },
            { "duplicate key", Build("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", two), "'descr' appears twice" },
            { "quotes removed", Build("{descr: '<f4', 'fortran_order': False, 'shape': (2,), }\n", two), "header: expected a quoted key" },
            { "unterminated string", Build("{'descr: '<f4', 'fortran_order': False, 'shape': (2,), }\n", two), "header: " },
            { "text after the dict", Build(ok.TrimEnd('\n') + " x\n", two), "header: unexpected text" },
            { "deep nesting", Build("{'descr': " + new string('(', 200) + "}\n", two), "nested more than" },
            { "invalid utf-8 in 3.0", Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", two, major: 3, Encoding.Latin1)
                .Select((b, i) => i == 14 ? (byte)0xFF : b).ToArray(), "header: not valid UTF-8" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_file_is_InvalidDataException_naming_the_file_and_field(string what, byte[] bytes, string field)
    {
        string path = Save("bad.npy", bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(field, StringComparison.Ordinal), $"{what}: \"{e.Message}\" does not name {field}");
        Assert.True(allocated < 1 << 20, $"{what}: allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_huge_header_length_is_refused_before_it_is_read()
    {
        var file = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }\n", [], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), uint.MaxValue);
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.Parse(file, "h.npy"));
        Assert.Contains("header length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_FileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => NpyReader.Read(_dir.File("none.npy")));
    }
}
