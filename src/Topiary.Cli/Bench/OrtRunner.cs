// OrtRunner: ONNX Runtime as the dense peer at its best settings — a session over an exported model with the input
// and the output values created once (outputs pre-bound through the Run overload taking output OrtValues), so a timed
// call is one Run that allocates nothing.
using Microsoft.ML.OnnxRuntime;

namespace Topiary.Cli.Bench;

/// <summary>One ONNX Runtime session ready to run a fixed input into a pre-bound output.</summary>
public sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtValue _input;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly float[] _outputData;
    private readonly OrtValue[] _outputs;

    /// <summary>Opens <paramref name="onnxPath"/> with <paramref name="threads"/> intra-op threads for input <paramref name="data"/> of <paramref name="shape"/>.</summary>
    public OrtRunner(string onnxPath, float[] data, long[] shape, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(onnxPath, options);
        _inputNames = [_session.InputMetadata.Keys.First()];
        _outputNames = [_session.OutputMetadata.Keys.First()];
        _input = OrtValue.CreateTensorValueFromMemory(data, shape);
        _inputs = [_input];
        // One unbound run finds the output shape; the output buffer is then bound for every later call.
        using var first = _session.Run(_run, _inputNames, _inputs, _outputNames);
        var outShape = first[0].GetTensorTypeAndShape().Shape;
        _outputData = new float[outShape.Aggregate(1L, (a, d) => a * d)];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_outputData, outShape)];
    }

    /// <summary>Runs once; returns a copy of the output.</summary>
    public float[] Run()
    {
        RunDiscard();
        return (float[])_outputData.Clone();
    }

    /// <summary>Runs once into the pre-bound output (the timed call).</summary>
    public void RunDiscard() => _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        _outputs[0].Dispose();
        _input.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
