// The real ONNX files in ../shared/models (sha256-verified): every file in wild/ except the ZipMap one and every file in
// onnx-zoo-light/ imports and matches ONNX Runtime on a seeded input, and its re-export matches the original; the
// SqueezeNet ending in ai.onnx.ml ZipMap is refused with NotSupportedException naming the file and ZipMap; the lists
// below are exactly the folders' .onnx files.
using Topiary.Onnx;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.Corpus.SharedOnnxFiles;

namespace Topiary.Tests.Onnx.Corpus;

// ImageNet-size networks (VGG-19 has 143 M weights): end-to-end, so the scalar fallback CI passes skip them.
[Trait("Category", "EndToEnd")]
public class OnnxRealFileTests
{
    public static TheoryData<string, string> Files => Supported();

    [Fact]
    public void Corpus_real_file_lists_match_the_shared_folders_and_their_sha256()
    {
        var listed = Supported().Select(row => ((string)row[0], (string)row[1])).Append((Wild, ZipMapFile)).ToHashSet();
        var present = new[] { Wild, ZooLight }
            .SelectMany(folder => Directory.GetFiles(Folder(folder), "*.onnx").Select(f => (folder, Path.GetFileName(f))))
            .ToHashSet();
        Assert.Equal(present.Order(), listed.Order());
        foreach (var (folder, file) in present) Verified(folder, file);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Corpus_real_file_imports_and_matches_ort(string folder, string file) =>
        CorpusChecks.ImportMatchesOrt(Verified(folder, file), $"{folder}/{file}");

    [Theory]
    [MemberData(nameof(Files))]
    public void Corpus_real_file_reexport_keeps_names_and_matches_ort(string folder, string file)
    {
        using var dir = new TempDirectory();
        CorpusChecks.ReExportMatchesOriginal(Verified(folder, file), $"{folder}/{file}", dir.Path);
    }

    [Fact]
    public void Corpus_real_zipmap_file_is_refused_naming_file_node_and_op_type()
    {
        string path = Verified(Wild, ZipMapFile);
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("ZipMap", e.Message, StringComparison.Ordinal);
    }
}
