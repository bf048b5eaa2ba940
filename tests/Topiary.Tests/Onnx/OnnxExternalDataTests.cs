// ONNX files with external data (what PyTorch's torch.export-based exporter and onnx.save_model(...,
// save_as_external_data=True) write): the real PyTorch ResNet-20 rewritten here with every initializer of 1 KiB or more
// in "<model>.onnx.data" (large ones at 4 KiB-aligned offsets, small ones inline, as onnx's writers do) imports to
// exactly the parameters of the inline file, and ONNX Runtime, reading the same pair of files, agrees with the imported
// model (--verify). Side files that are missing, outside the model's folder, too short, of the wrong length or with a
// wrong checksum are refused with an InvalidDataException naming the model, the tensor and the external_data field.
using System.Security.Cryptography;
using Google.Protobuf;
using Topiary.Cli.Commands;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tests.IO;
using Topiary.Tests.Onnx.Corpus;

namespace Topiary.Tests.Onnx;

public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ModelProto ResNet20() =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(SharedOnnxFiles.Verified(SharedOnnxFiles.Wild, "pytorch-resnet20-cifar.onnx")));

    // Writes model as <folder>/<name> with the raw data of every initializer of ≥ 1 KiB moved to <name>.data; returns
    // the model's path and the moved tensors (in the written model) for the tests to tamper with.
    private static (string Path, List<TensorProto> Moved) Externalize(ModelProto model, string folder, string name, bool checksums = false)
    {
        string data = name + ".data";
        using var side = new MemoryStream();
        var moved = new List<TensorProto>();
        foreach (var t in model.Graph.Initializer.Where(t => t.RawData.Length >= 1024))
        {
            if (t.RawData.Length >= 4096) side.SetLength((side.Length + 4095) / 4096 * 4096);
            side.Position = side.Length;
            long offset = side.Position;
            side.Write(t.RawData.Span);
            t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = data });
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = t.RawData.Length.ToString() });
            if (checksums) t.ExternalData.Add(new StringStringEntryProto { Key = "checksum", Value = Convert.ToHexStringLower(SHA1.HashData(t.RawData.Span)) });
            t.DataLocation = TensorProto.Types.DataLocation.External;
            t.RawData = ByteString.Empty;
            moved.Add(t);
        }
        File.WriteAllBytes(Path.Combine(folder, data), side.ToArray());
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return (path, moved);
    }

    private static void Set(TensorProto t, string key, string? value)
    {
        var entry = t.ExternalData.FirstOrDefault(e => e.Key == key);
        if (value is null) { if (entry is not null) t.ExternalData.Remove(entry); }
        else if (entry is null) t.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Weights_in_a_data_file_import_like_the_inline_file_and_onnx_runtime_agrees(bool checksums)
    {
        var (path, moved) = Externalize(ResNet20(), _dir.Path, "r20.onnx", checksums);
        Assert.True(moved.Count >= 20, $"only {moved.Count} initializers moved");
        Assert.True(new FileInfo(path).Length < 100_000, $"the weights stayed in the model file ({new FileInfo(path).Length} bytes)");

        var (inline, _) = OnnxImporter.Import(SharedOnnxFiles.Verified(SharedOnnxFiles.Wild, "pytorch-resnet20-cifar.onnx"));
        var (external, info) = OnnxImporter.Import(path);
        var expected = inline.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Data);
        var actual = external.NamedParameters().ToList();
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (name, parameter) in actual) Assert.Equal(expected[name], parameter.Value.Data);

        var report = Assert.Single(OnnxVerify.Compare(path, external, info, OnnxVerify.SeededInputs(info, seed: 4)));
        Assert.True(report.Passed, $"difference {report.MaxAbsDifference}, tolerance {report.Tolerance}");
    }

    public static TheoryData<string, string?, string, string> BadEntries() => new()
    {
        // key, value (null: remove the entry), field named in the message, words in it
        { "location", null, "location", "missing" },
        { "location", "../r20.onnx.data", "location", "relative path inside the model's folder" },
        { "location", "/etc/hostname", "location", "relative path inside the model's folder" },
        { "location", "weights.bin", "location", "does not exist" },
        { "offset", "12x", "offset", "not a non-negative integer" },
        { "offset", "-4", "offset", "not a non-negative integer" },
        { "offset", "999999999", "offset", "beyond the end" },
        { "length", "999999999", "length", "run past the end" },
        { "length", "16", "length", "needs" },
        { "checksum", "0123456789abcdef0123456789abcdef01234567", "checksum", "SHA-1" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void Bad_external_data_is_refused_naming_the_model_tensor_and_field(string key, string? value, string field, string words)
    {
        var model = ResNet20();
        var (path, moved) = Externalize(model, _dir.Path, "r20.onnx");
        var victim = moved[moved.Count / 2];
        Set(victim, key, value);
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"tensor '{victim.Name}', external_data '{field}'", e.Message);
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void A_data_file_cut_short_is_refused()
    {
        var (path, moved) = Externalize(ResNet20(), _dir.Path, "r20.onnx");
        string data = path + ".data";
        byte[] bytes = File.ReadAllBytes(data);
        File.WriteAllBytes(data, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains($"tensor '{moved[^1].Name}', external_data 'length'", e.Message);
    }

    [PosixFact("symbolic links")]
    public void A_symbolic_link_leading_out_of_the_models_folder_is_refused()
    {
        string inside = Directory.CreateDirectory(Path.Combine(_dir.Path, "model")).FullName;
        string outside = Directory.CreateDirectory(Path.Combine(_dir.Path, "elsewhere")).FullName;
        var (path, _) = Externalize(ResNet20(), outside, "r20.onnx");
        File.Move(path, Path.Combine(inside, "r20.onnx"));
        File.CreateSymbolicLink(Path.Combine(inside, "r20.onnx.data"), Path.Combine(outside, "r20.onnx.data"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(Path.Combine(inside, "r20.onnx")));
        Assert.Contains("symbolic link leading out of the model's folder", e.Message);

        // A link that stays inside the folder is followed.
        File.Delete(Path.Combine(inside, "r20.onnx.data"));
        File.Move(Path.Combine(outside, "r20.onnx.data"), Path.Combine(inside, "weights.bin"));
        File.CreateSymbolicLink(Path.Combine(inside, "r20.onnx.data"), Path.Combine(inside, "weights.bin"));
        OnnxImporter.Import(Path.Combine(inside, "r20.onnx"));
    }
}
