// IDX fuzzing: mutations of valid label and image files, plain and gzip-compressed, read through
// IdxReader.Read(path) — the call the MNIST loaders make. Documented: InvalidDataException only. The format-aware
// mutator works on the decompressed content (dimension fields set to huge values, dtype/rank bytes changed, data
// cut or extended, or byte-level mutations) and re-compresses it, so the IDX checks behind the gzip layer are
// reached too. Accepted inputs must satisfy the reader's contract: the data length is the product of the dimensions
// and re-encoding gives the (decompressed) input back.
using System.Buffers.Binary;
using System.IO.Compression;
using Topiary.Data;
using Topiary.Tests.Data;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class IdxFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = FuzzHarness.ScratchDirectory("idx");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal FuzzTarget Target()
    {
        string path = Path.Combine(_dir, "input-idx");
        byte[] labels = IdxTestFiles.Labels(60), images = IdxTestFiles.Images(12, 8, 8), matrix = IdxTestFiles.Idx(0x08, [6, 5], new byte[30]);
        FuzzSeed[] seeds =
        [
            new("labels", labels), new("images", images), new("matrix", matrix), new("mnist-shaped", IdxTestFiles.Images(2)),
            new("labels.gz", IdxTestFiles.Gzip(labels)), new("images.gz", IdxTestFiles.Gzip(images)),
        ];
        return new FuzzTarget("idx", seeds, input =>
        {
            File.WriteAllBytes(path, input);
            var d = IdxReader.Read(path);
            byte[] content = IdxReader.IsGzip(input) ? IdxReader.ReadAllBytes(path) : input;
            long product = 1;
            foreach (int x in d.Dimensions) product *= x;
            Assert.Equal(product, d.Data.LongLength);
            Assert.Equal(content, IdxTestFiles.Idx(0x08, d.Dimensions.ToArray(), d.Data));
        }, typeof(InvalidDataException))
        {
            Structured = (seed, rng) => StructuredMutation(seed, rng),
        };
    }

    private static byte[] StructuredMutation(byte[] seed, Random rng)
    {
        bool gz = IdxReader.IsGzip(seed);
        byte[] data = gz ? Gunzip(seed) : (byte[])seed.Clone();
        int rank = data[3];
        switch (rng.Next(5))
        {
            case 0: // a dimension field set to an edge value (big-endian, as the format stores it)
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4 + 4 * rng.Next(rank)),
                    (uint)Math.Min(ByteMutator.HugeValues[rng.Next(ByteMutator.HugeValues.Length)], uint.MaxValue));
                break;
            case 1:
                data[2] = (byte)rng.Next(256); // dtype
                break;
            case 2:
                data[3] = (byte)rng.Next(rng.Next(2) == 0 ? 8 : 256); // rank
                break;
            case 3:
                data = rng.Next(2) == 0 ? data.AsSpan(0, rng.Next(data.Length)).ToArray() : [.. data, .. new byte[1 + rng.Next(100)]];
                break;
            default:
                data = ByteMutator.Mutate(data, new FuzzTarget("idx-content", [new("content", data)], _ => { }, typeof(Exception)), rng);
                break;
        }
        return gz ? IdxTestFiles.Gzip(data) : data;
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public void Mutated_idx_files_parse_or_throw_InvalidDataException()
    {
        var report = FuzzHarness.Run(Target());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(IdxFuzzTests));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
