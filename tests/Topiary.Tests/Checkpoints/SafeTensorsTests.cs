// SafeTensors: bit-exact round trips (NaN payloads, -0, infinities, empty and scalar tensors),
// files from other writers (unsorted header, no padding), and every malformed-file case rejected with
// a message naming the file and the field.
using System.Buffers.Binary;
using System.Text;
using Topiary.Tensors;
using Topiary.Tests.IO;
using Topiary.Training;

namespace Topiary.Tests.Checkpoints;

public class SafeTensorsTests
{
    private static Tensor Bits(int[] shape, params uint[] bits) =>
        new(bits.Select(BitConverter.UInt32BitsToSingle).ToArray(), shape);

    private static uint[] BitsOf(Tensor t) => t.Data.Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>A raw file: 8-byte length, the header text as given, then <paramref name="data"/>.</summary>
    private static byte[] Raw(string header, byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    private static InvalidDataException Rejected(byte[] file, params string[] expectedFragments)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
        foreach (string fragment in expectedFragments) Assert.Contains(fragment, e.Message);
        return e;
    }

    [Fact]
    public void RoundTrip_IsBitExact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var tensors = new List<(string, Tensor)>
        {
            ("special", Bits([2, 4], 0x7FC00001, 0xFFC12345, 0x7F800001, 0x80000000, 0x00000000, 0x7F800000, 0xFF800000, 0x00000001)),
            ("empty", new Tensor(0, 3)),
            ("scalar", new Tensor([3.5f])),
            ("big", Tensor.RandomNormal(new Random(1), 1f, 3, 5, 7)),
            ("empty2", new Tensor(0)),
        };
        var meta = new Dictionary<string, string> { ["model"] = "lenet-5", ["note"] = "ünïcødé \"quoted\"" };
        SafeTensors.Write(path, meta, tensors);

        var read = SafeTensors.Read(path);
        Assert.Equal(meta, read.Metadata);
        Assert.Equal(tensors.Select(t => t.Item1), read.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Equal(tensors[i].Item2.Shape.ToArray(), read.Tensors[i].Tensor.Shape.ToArray());
            Assert.Equal(BitsOf(tensors[i].Item2), BitsOf(read.Tensors[i].Tensor));
        }
        Assert.Equal(0, read.Tensors[2].Tensor.Rank);
        Assert.Equal(1, read.Tensors[2].Tensor.Length);

        // The data starts at an 8-byte boundary (header padded with spaces).
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path));
        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Layout_MatchesTheSpec()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        SafeTensors.Write(path, null, [("a", new Tensor([1f, 2f], 2)), ("b", new Tensor([3f], 1, 1))]);
        string header = SafeTensors.ReadHeaderText(path);
        Assert.Equal(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}",
            header.TrimEnd(' '));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(8 + header.Length + 12, bytes.Length);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + header.Length)));
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + header.Length + 8)));
    }

    [Fact]
    public void Read_AcceptsUnsortedHeaderFromOtherWriters()
    {
        // Header lists "b" first, but "a" comes first in the data; no padding; metadata last.
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 2f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), 3f);
        string header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}, " +
                        "\"a\":{\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"},\"__metadata__\":{\"format\":\"pt\"}}";
        var stream = new MemoryStream(Raw(header, data));
        var read = SafeTensors.Read(stream, "other.safetensors");
        Assert.Equal(new[] { "a", "b" }, read.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { 1f, 2f }, read.Tensors[0].Tensor.Data);
        Assert.Equal(new[] { 3f }, read.Tensors[1].Tensor.Data);
        Assert.Equal("pt", read.Metadata["format"]);
    }

    [Fact]
    public void Write_RejectsBadNames()
    {
        using var dir = new TempDirectory();
        var t = new Tensor(1);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(dir.File("x"), null, [("a", t), ("a", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(dir.File("x"), null, [("__metadata__", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(dir.File("x"), null, [("", t)]));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private const string A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    [Fact]
    public void Rejects_FileShorterThanLengthField() => Rejected([1, 2, 3], "too short");

    [Fact]
    public void Rejects_HeaderLengthBeyondFile()
    {
        var file = Raw("{" + A8 + "}", new byte[8]);
        BinaryPrimitives.WriteUInt64LittleEndian(file, 10_000);
        Rejected(file, "header length 10000", "beyond the end of the file");
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue);
        Rejected(file, "beyond the end of the file");
    }

    [Fact]
    public void Rejects_InvalidJson() => Rejected(Raw("{\"a\": {", new byte[8]), "not valid JSON");

    [Fact]
    public void Rejects_NonObjectHeader() => Rejected(Raw("[1, 2]", []), "must be a JSON object");

    [Theory]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "'a' has no dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "'a' has no shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "'a' has no data_offsets")]
    [InlineData("{\"a\":5}", "'a' must be an object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "data_offsets must be an array [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", "data_offsets begin is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "end before they begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "shape[0] is not an integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", "shape must be an array")]
    [InlineData("{\"__metadata__\":{\"k\":1}," + A8 + "}", "__metadata__.k must be a string")]
    [InlineData("{\"__metadata__\":[]," + A8 + "}", "__metadata__ must be an object")]
    public void Rejects_MalformedEntries(string header, string fragment) => Rejected(Raw(header, new byte[8]), fragment);

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    [InlineData("I64")]
    public void Rejects_OtherDtypesByName(string dtype) =>
        Rejected(Raw("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), $"dtype {dtype}", "only F32");

    [Fact]
    public void Rejects_NegativeDimension() =>
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "shape[0] is negative (-2)");

    [Fact]
    public void Rejects_OffsetsNotMatchingShape() =>
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "span 8 bytes", "needs 12");

    [Fact]
    public void Rejects_Overlap() =>
        Rejected(Raw("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "'b'", "overlap");

    [Fact]
    public void Rejects_Gap() =>
        Rejected(Raw("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", new byte[16]), "'b'", "gap");

    [Fact]
    public void Rejects_GapAtStart() =>
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "'a'", "gap");

    [Fact]
    public void Rejects_DataBeyondFileEnd() => Rejected(Raw("{" + A8 + "}", new byte[6]), "'a'", "beyond the end of the data (6 bytes)");

    [Fact]
    public void Rejects_TrailingBytes() => Rejected(Raw("{" + A8 + "}", new byte[11]), "3 trailing bytes");

    [Fact]
    public void Rejects_DuplicateNames() =>
        Rejected(Raw("{" + A8 + "," + A8.Replace("[0,8]", "[8,16]", StringComparison.Ordinal) + "}", new byte[16]), "duplicate name 'a'");

    [Fact]
    public void Accepts_EmptyHeaderObject()
    {
        var read = SafeTensors.Read(new MemoryStream(Raw("{}      ", [])), "empty");
        Assert.Empty(read.Tensors);
        Assert.Empty(read.Metadata);
    }
}
