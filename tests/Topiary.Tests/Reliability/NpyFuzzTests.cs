// NPY fuzzing: mutations of arrays written by NpyWriter (float32 of several ranks including a scalar and an empty
// array, int64 class indices) and of files built by hand from the format description (version 2.0 uint8, version 3.0
// big-endian float64, big-endian int64, a Python 2 header), read through NpyReader.Read(path) — the call `topiary
// predict` makes. Documented: InvalidDataException only. Half of the mutated inputs come from the format-aware mutator,
// which edits the header text — a shape number replaced by an edge value (-1, 2^31-1, 2^32, 2^63-1, 2^64, 1e400, ...),
// the descr swapped for another (supported or not), quotes removed, keys dropped, duplicated or renamed, True/False
// flipped, text deleted or duplicated, byte-level changes — then (usually) rewrites the header length so the edit
// reaches the dict parser, sometimes changes the version or cuts/grows the data. Accepted inputs must hold as many
// values as their shape says and re-encode (float32) to the same values bit for bit.
using System.Buffers.Binary;
using System.Text;
using Topiary.IO;
using Topiary.Tests.IO;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class NpyFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = FuzzHarness.ScratchDirectory("npy");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Descrs =
    [
        "<f4", ">f4", "<f8", ">f8", "|u1", "<u1", "<i8", ">i8", "<i4", "<f2", "|b1", "|i1", "O", "<U5", "<c8", "", "<f16", "f4",
    ];

    internal static FuzzSeed[] Seeds()
    {
        var rng = new Random(7);
        float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        byte[] be8 = new byte[8 * 5];
        for (int i = 0; i < 5; i++) BinaryPrimitives.WriteDoubleBigEndian(be8.AsSpan(8 * i), i * 0.25 - 1);
        byte[] bei8 = new byte[8 * 3];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteInt64BigEndian(bei8.AsSpan(8 * i), i - 1);
        return
        [
            new("f4-2d", NpyWriter.ToBytes(Floats(6), [2, 3]), Weight: 3),
            new("f4-batch", NpyWriter.ToBytes(Floats(100), [4, 1, 5, 5]), Weight: 3),
            new("f4-scalar", NpyWriter.ToBytes([1.5f], [])),
            new("f4-empty", NpyWriter.ToBytes(ReadOnlySpan<float>.Empty, [0, 7])),
            new("i8-labels", NpyWriter.ToBytes(Enumerable.Range(0, 10).Select(i => (long)(i % 10)).ToArray(), [10]), Weight: 2),
            new("u1-v2", NpyTests.Build("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 4, 4), }" + new string(' ', 50) + "\n",
                Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray(), major: 2), Weight: 2),
            new("be-f8-v3", NpyTests.Build("{'descr': '>f8', 'fortran_order': False, 'shape': (5,), }\n", be8, major: 3, Encoding.UTF8), Weight: 2),
            new("be-i8", NpyTests.Build("{\"descr\": \">i8\", \"fortran_order\": False, \"shape\": (3L,)}", bei8)),
        ];
    }

    internal FuzzTarget Target()
    {
        string path = Path.Combine(_dir, "input.npy");
        return new FuzzTarget("npy", Seeds(), input =>
        {
            File.WriteAllBytes(path, input);
            var a = NpyReader.Read(path);
            long product = 1;
            foreach (int d in a.Shape) product *= d;
            Assert.Equal(product, a.Values.LongLength);
            if (a.Dtype == NpyDtype.Int64) Assert.Equal(a.Values.Length, a.Int64Values!.Length);
            if (a.Dtype == NpyDtype.Float32)
            {
                var again = NpyReader.Parse(NpyWriter.ToBytes(a.Values, a.Shape), "re-encoded.npy");
                Assert.Equal(a.Values.Select(BitConverter.SingleToInt32Bits), again.Values.Select(BitConverter.SingleToInt32Bits));
            }
        }, typeof(InvalidDataException))
        {
            Structured = HeaderMutation,
        };
    }

    /// <summary>Edits the header text of a valid NPY file and (usually) rewrites its header length.</summary>
    internal static byte[] HeaderMutation(byte[] file, Random rng)
    {
        int major = file[6], lengthBytes = major == 1 ? 2 : 4;
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string header = encoding.GetString(file, 8 + lengthBytes, headerLength);
        byte[] data = file.AsSpan(8 + lengthBytes + headerLength).ToArray();
        int edits = 1 + rng.Next(2);
        for (int m = 0; m < edits; m++) header = EditHeader(header, rng);
        if (rng.Next(4) == 0)
            data = rng.Next(2) == 0 ? data.AsSpan(0, rng.Next(data.Length + 1)).ToArray() : [.. data, .. new byte[1 + rng.Next(16)]];
        if (rng.Next(16) == 0) major = rng.Next(5);
        byte[] text = major == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);
        int newLengthBytes = major == 1 ? 2 : 4;
        var result = new byte[8 + newLengthBytes + text.Length + data.Length];
        NpyReader.Magic.CopyTo(result);
        result[6] = (byte)major;
        long length = rng.Next(8) == 0 ? headerLength : text.Length; // sometimes the old length, which no longer fits
        if (newLengthBytes == 2) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)length);
        else BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)length);
        text.CopyTo(result, 8 + newLengthBytes);
        data.CopyTo(result, 8 + newLengthBytes + text.Length);
        return result;
    }

    private static string EditHeader(string header, Random rng)
    {
        switch (rng.Next(9))
        {
            case 0:
            case 1:
                return ByteMutator.ReplaceNumber(header, rng) ?? header;
            case 2:
            {
                int at = header.IndexOf("descr", StringComparison.Ordinal);
                if (at < 0) return header;
                int open = header.IndexOfAny(['\'', '"'], at + 6);
                int close = open < 0 ? -1 : header.IndexOf(header[open], open + 1);
                return close < 0 ? header : string.Concat(header.AsSpan(0, open + 1), Descrs[rng.Next(Descrs.Length)], header.AsSpan(close));
            }
            case 3:
            {
                var quotes = Enumerable.Range(0, header.Length).Where(i => header[i] is '\'' or '"').ToArray();
                if (quotes.Length == 0) return header;
                return rng.Next(4) == 0 ? header.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal) : header.Remove(quotes[rng.Next(quotes.Length)], 1);
            }
            case 4:
            {
                string[] keys = ["'descr'", "'fortran_order'", "'shape'"];
                string key = keys[rng.Next(keys.Length)];
                return rng.Next(3) switch
                {
                    0 => header.Replace(key, "'extra'", StringComparison.Ordinal),
                    1 => header.Replace("{", "{" + key + ": 1, ", StringComparison.Ordinal),
                    _ => header.Replace(key, key.ToUpperInvariant(), StringComparison.Ordinal),
                };
            }
            case 5:
                return header.Contains("False", StringComparison.Ordinal)
                    ? header.Replace("False", rng.Next(2) == 0 ? "True" : "None", StringComparison.Ordinal)
                    : header.Replace("(", rng.Next(2) == 0 ? "[" : "((", StringComparison.Ordinal);
            case 6:
            {
                int at = rng.Next(header.Length), len = Math.Min(header.Length - at, 1 + rng.Next(20));
                return header.Remove(at, len);
            }
            case 7:
            {
                int at = rng.Next(header.Length), len = Math.Min(header.Length - at, 1 + rng.Next(40));
                return header.Insert(rng.Next(header.Length), header.Substring(at, len));
            }
            default:
            {
                byte[] bytes = Encoding.Latin1.GetBytes(header);
                return Encoding.Latin1.GetString(ByteMutator.Mutate(bytes, new FuzzTarget("npy-header", [new("header", bytes)], _ => { }, typeof(Exception)), rng));
            }
        }
    }

    [Fact]
    public void Mutated_npy_files_read_or_throw_InvalidDataException()
    {
        var report = FuzzHarness.Run(Target());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(NpyFuzzTests));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
