// CorpusChecks: the two properties every corpus model and real file must have, shared by their tests —
//   1. OnnxImporter.Import's model, run on a seeded input, gives ONNX Runtime's output on the original file (same
//      shape; values within 1e-4 · max |output|) at batch 1, and at batch 3 when the batch dim is symbolic (the zoo's
//      files with random weights: so does the import's inference rewrite, InferenceGraph.Fuse);
//   2. OnnxExporter.Export of the imported model keeps the graph's input and output names, and ONNX Runtime on the
//      re-export gives the original file's output within the same tolerance.
// Failures print the file, the batch, the first differing values and the largest difference (OnnxTestSupport.AssertClose).
using Microsoft.ML.OnnxRuntime;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Onnx.Corpus;

internal static class CorpusChecks
{
    /// <summary>Property 1: the import matches ONNX Runtime on the original file. With <paramref name="fused"/>, so does
    /// its inference rewrite (InferenceGraph.Fuse: fused convolutions, concatenations in place, channels-last stacks, the
    /// activations in one arena), on two calls in a row.</summary>
    public static void ImportMatchesOrt(string path, string what, bool fused = false)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var (input, _, rest) = CorpusOrt.DataInput(proto);
        var (model, info) = OnnxImporter.Import(path);
        Assert.Equal(input, info.InputName);
        Assert.Equal(proto.Graph.Output[0].Name, info.OutputName);

        using var session = new InferenceSession(path);
        foreach (int batch in CorpusOrt.Batches(proto))
        {
            var (x, shape) = CorpusOrt.SeededInput(rest, batch, seed: 17 + batch);
            var (reference, referenceShape) = CorpusOrt.Run(session, input, x, shape);
            var ours = model.Forward(new Tensor((float[])x.Clone(), shape), training: false);
            Assert.True(referenceShape.SequenceEqual(ours.Shape.ToArray().Select(d => (long)d)),
                $"{what} batch {batch}: ONNX Runtime output shape [{string.Join(",", referenceShape)}], imported [{string.Join(",", ours.Shape.ToArray())}]");
            OnnxTestSupport.AssertClose(reference, ours.Data, $"{what} batch {batch}: ONNX Runtime vs imported");
            if (!fused) continue;
            var rewritten = InferenceGraph.Fuse(model, rest, batch).Model;
            for (int call = 0; call < 2; call++)
                OnnxTestSupport.AssertClose(reference, rewritten.Forward(new Tensor((float[])x.Clone(), shape), training: false).Span.ToArray(),
                    $"{what} batch {batch}, call {call}: ONNX Runtime vs the inference rewrite");
        }
    }

    /// <summary>Property 2: the re-export keeps the names and matches ONNX Runtime on the original file.</summary>
    public static void ReExportMatchesOriginal(string path, string what, string workDirectory)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var (input, _, rest) = CorpusOrt.DataInput(proto);
        var (model, info) = OnnxImporter.Import(path);
        string reexport = Path.Combine(workDirectory, Path.GetFileNameWithoutExtension(path) + ".reexport.onnx");
        OnnxExporter.Export(model, rest, reexport, info.InputName, info.OutputName);

        var (originalInputs, originalOutputs) = CorpusOrt.Names(path);
        var (inputs, outputs) = CorpusOrt.Names(reexport);
        Assert.Equal(originalInputs, inputs);
        Assert.Equal(originalOutputs, outputs);

        using var original = new InferenceSession(path);
        using var again = new InferenceSession(reexport);
        foreach (int batch in CorpusOrt.Batches(proto))
        {
            var (x, shape) = CorpusOrt.SeededInput(rest, batch, seed: 29 + batch);
            var (reference, referenceShape) = CorpusOrt.Run(original, input, x, shape);
            var (y, yShape) = CorpusOrt.Run(again, input, x, shape);
            Assert.True(referenceShape.SequenceEqual(yShape),
                $"{what} batch {batch}: original output shape [{string.Join(",", referenceShape)}], re-export [{string.Join(",", yShape)}]");
            OnnxTestSupport.AssertClose(reference, y, $"{what} batch {batch}: ONNX Runtime on the original vs on the re-export");
        }
    }
}
