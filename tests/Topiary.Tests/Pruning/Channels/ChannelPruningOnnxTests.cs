// Data-free channel pruning of imported graphs: every model of the exporter corpus (PyTorch ResNets with residual Adds
// and shape-subgraph Reshapes, TensorFlow NHWC graphs, MobileNet/SqueezeNet/SE patterns ...) is pruned one-shot by L1
// to half of its prunable channels, exported, and ONNX Runtime on the exported file must equal Topiary's pruned model.
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Pruning.Channels;
using Topiary.Tensors;
using Topiary.Tests.IO;
using Topiary.Tests.Onnx;
using Topiary.Tests.Onnx.Corpus;

namespace Topiary.Tests.Pruning.Channels;

public class ChannelPruningOnnxTests
{
    public static TheoryData<string> Models => OnnxCorpus.Names();

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_graph_pruned_without_data_exports_and_matches_ort(string name)
    {
        using var dir = new TempDirectory();
        string path = OnnxCorpus.Get(name).Save(dir.Path);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var (input, _, rest) = CorpusOrt.DataInput(proto);
        var (model, info) = OnnxImporter.Import(path);
        var result = ChannelPruning.Run(model, [rest], name, new ChannelPruningOptions
        {
            Target = new ChannelTarget { ChannelSparsity = 0.5 },
        });
        if (result.PrunableChannels == 0)
        {
            Assert.Equal(result.DenseMacs, result.Macs); // nothing prunable: nothing changes, and the report says why
            Assert.NotEmpty(result.Unprunable);
            return;
        }
        Assert.True(result.Macs < result.DenseMacs, $"{name}: MACs {result.DenseMacs} → {result.Macs}");
        Assert.True(result.Params < result.DenseParams);
        string pruned = Path.Combine(dir.Path, "pruned.onnx");
        OnnxExporter.Export(model, rest, pruned, info.InputName, info.OutputName);
        foreach (int batch in CorpusOrt.Batches(proto))
        {
            var (x, shape) = CorpusOrt.SeededInput(rest, batch, seed: 41 + batch);
            var ours = model.Forward(new Tensor((float[])x.Clone(), shape), training: false);
            var (reference, referenceShape) = CorpusOrt.Run(pruned, input, x, shape);
            Assert.Equal(referenceShape, ours.Shape.ToArray().Select(d => (long)d));
            OnnxTestSupport.AssertClose(reference, ours.Data, $"{name} pruned, batch {batch}: ONNX Runtime vs Topiary");
        }
    }
}
