// OnnxCorpus: the named test models, each reproducing what one real exporter writes (PyTorch 1.x/2.x, tf2onnx,
// keras2onnx, CNTK, onnx-caffe2) at a stated opset, with small ImageNet-like shapes so every model runs in
// milliseconds. The builders live in the OnnxCorpus.*.cs partial files, one exporter family per file; every model is
// deterministic (seeded weights). Sizes: inputs of at most 3×40×40, at most 64 channels.
namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    /// <summary>Every corpus model, in a stable order.</summary>
    public static IReadOnlyList<CorpusModel> All { get; } =
    [
        .. PyTorchModels(),
        .. MobileModels(),
        .. TensorFlowModels(),
        .. CntkModels(),
        .. Caffe2Models(),
        .. OperatorModels(),
    ];

    /// <summary>Model names for xunit theories.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var m in All) data.Add(m.Name);
        return data;
    }

    /// <summary>The model called <paramref name="name"/>.</summary>
    public static CorpusModel Get(string name) =>
        All.SingleOrDefault(m => m.Name == name) ?? throw new ArgumentException($"No corpus model '{name}'.", nameof(name));
}
