// OrtRunner: ONNX Runtime as the dense peer — a session over an exported model with pre-created input and
// output values, so a timed call is one Run and nothing else.
using Microsoft.ML.OnnxRuntime;

namespace Topiary.Cli.Bench;

/// <summary>One ONNX Runtime session ready to run a fixed input.</summary>
public sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtValue _input;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames = ["input"];
    private readonly string[] _outputNames = ["output"];
    private readonly OrtValue[] _inputs;

    /// <summary>Opens <paramref name="onnxPath"/> with <paramref name="threads"/> intra-op threads for input <paramref name="data"/> of <paramref name="shape"/>.</summary>
    public OrtRunner(string onnxPath, float[] data, long[] shape, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(onnxPath, options);
        _input = OrtValue.CreateTensorValueFromMemory(data, shape);
        _inputs = [_input];
    }

    /// <summary>Runs once; returns the output copied out.</summary>
    public float[] Run()
    {
        using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Runs once, discarding the output (the timed call).</summary>
    public void RunDiscard()
    {
        using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _input.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
