// Every corpus model imports into Topiary and matches ONNX Runtime on a seeded input (batch 1, and 3 when the batch is
// symbolic) within 1e-4 · max |output|, and its re-export keeps the input/output names and matches the original in
// ONNX Runtime. These need the general graph importer (Topiary.Nn.Graph) and exporter.
using Topiary.Tests.IO;

namespace Topiary.Tests.Onnx.Corpus;

public class OnnxCorpusImportTests
{
    public static TheoryData<string> Models => OnnxCorpus.Names();

    [Theory]
    [MemberData(nameof(Models))]
    public void Corpus_model_imports_and_matches_ort(string name)
    {
        using var dir = new TempDirectory();
        string path = OnnxCorpus.Get(name).Save(dir.Path);
        CorpusChecks.ImportMatchesOrt(path, name);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Corpus_model_reexport_keeps_names_and_matches_ort(string name)
    {
        using var dir = new TempDirectory();
        string path = OnnxCorpus.Get(name).Save(dir.Path);
        CorpusChecks.ReExportMatchesOriginal(path, name, dir.Path);
    }
}
