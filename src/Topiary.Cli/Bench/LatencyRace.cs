// LatencyRace: several runtimes timed on one fixed input — the shared machinery of `topiary bench` and the demo's
// latency stage. Contenders: a model's Module.Forward, a compiled InferencePlan of a model (formats as PlanOptions
// say; bias and ReLU fused), and ONNX Runtime on a model exported to a temporary .onnx file. Every contender's
// output is checked against its model's own Module.Forward (within 1e-4 of the largest magnitude) BEFORE anything
// is timed; Run() times all of them interleaved (LatencyMeter.Compare), so machine noise hits all alike.
// Temporary .onnx files and ORT sessions are released by Dispose.
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Bench;

/// <summary>The latency of one contender of a <see cref="LatencyRace"/>.</summary>
/// <param name="Name">The contender's name as added.</param>
/// <param name="Latency">Median, p99 and min per call (µs) and the number of timed calls.</param>
public sealed record RaceResult(string Name, Latency Latency);

/// <summary>Runtimes timed side by side on one input of shape [batch, ..example].</summary>
public sealed class LatencyRace : IDisposable
{
    private readonly Tensor _input;
    private readonly int[] _example;
    private readonly int _threads;
    private readonly List<(string Name, Action Run)> _contenders = [];
    private readonly Dictionary<Module, Tensor> _references = new(ReferenceEqualityComparer.Instance);
    private readonly List<OrtRunner> _ort = [];
    private readonly List<string> _files = [];

    /// <summary>Prepares a race on <paramref name="input"/> (shape [batch, ..<paramref name="exampleShape"/>]).</summary>
    /// <param name="input">The fixed input every contender runs; not copied, so keep it unchanged.</param>
    /// <param name="exampleShape">Per-example input shape (no batch axis), e.g. [1, 28, 28].</param>
    /// <param name="threads">Intra-op threads of compiled plans and ONNX Runtime (Module.Forward follows
    /// <see cref="Threading.MaxDegreeOfParallelism"/>, which the caller sets).</param>
    /// <exception cref="ArgumentException">The input's shape is not [batch, ..exampleShape].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public LatencyRace(Tensor input, int[] exampleShape, int threads)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (input.Rank != exampleShape.Length + 1 || !input.Shape[1..].SequenceEqual(exampleShape))
            throw new ArgumentException($"Input shape {Tensor.ShapeString(input.Shape)} is not [batch, {string.Join(", ", exampleShape)}].", nameof(input));
        _input = input;
        _example = (int[])exampleShape.Clone();
        _threads = threads;
    }

    /// <summary>Examples per call.</summary>
    public int Batch => _input.Dim(0);

    /// <summary>Names of the contenders added so far, in order.</summary>
    public IReadOnlyList<string> Names => _contenders.Select(c => c.Name).ToArray();

    /// <summary>Adds <paramref name="model"/>'s own inference forward pass (Module.Forward, training = false).</summary>
    public void AddForward(string name, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Reference(model);
        _contenders.Add((name, () => model.Forward(_input, training: false)));
    }

    /// <summary>
    /// Compiles <paramref name="model"/> into an <see cref="InferencePlan"/> for this batch with <paramref name="options"/>
    /// (its thread count replaced by the race's), checks its output and adds it; returns the plan (for its formats).
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not a Sequential, or holds a module plans cannot run.</exception>
    /// <exception cref="InvalidOperationException">The plan's output disagrees with the model's.</exception>
    public InferencePlan AddPlan(string name, Module model, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model is not Sequential seq) throw new NotSupportedException($"A compiled plan needs a Sequential model; got {model.GetType().Name}.");
        var plan = InferencePlan.Compile(seq, _example, Batch, options with { Threads = _threads });
        var reference = Reference(model);
        var output = new float[reference.Length];
        plan.Run(_input.Data, output);
        CheckClose(reference.Data, output, $"{name} (compiled plan)");
        _contenders.Add((name, () => plan.Run(_input.Data, output)));
        return plan;
    }

    /// <summary>
    /// Adds <paramref name="model"/> rewritten for inference (<see cref="InferenceGraph.Fuse"/>: BatchNorm folded, residual
    /// add and activation in the convolution's epilogue) after checking its output; returns what was fused.
    /// </summary>
    /// <exception cref="InvalidOperationException">The fused model's output disagrees with the model's.</exception>
    public FusedModel AddFused(string name, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var fused = InferenceGraph.Fuse(model, _example, _input.Dim(0));
        var reference = Reference(model);
        CheckClose(reference.Data, fused.Model.Forward(_input, training: false).Data, $"{name} (fused graph)");
        _contenders.Add((name, () => fused.Model.Forward(_input, training: false)));
        return fused;
    }

    /// <summary>Exports <paramref name="model"/> to a temporary ONNX file, opens an ONNX Runtime session on it, checks its output and adds it.</summary>
    /// <exception cref="InvalidOperationException">ONNX Runtime's output disagrees with the model's.</exception>
    public void AddOrt(string name, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string onnx = Path.Combine(Path.GetTempPath(), $"topiary-race-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        _files.Add(onnx);
        OnnxExporter.Export(model, _example, onnx);
        var runner = new OrtRunner(onnx, _input.Data, _input.Shape.ToArray().Select(d => (long)d).ToArray(), _threads);
        _ort.Add(runner);
        CheckClose(Reference(model).Data, runner.Run(), $"{name} (ONNX Runtime)");
        _contenders.Add((name, runner.RunDiscard));
    }

    /// <summary>Times every contender interleaved for about <paramref name="secondsPerContender"/> each; results in the order added.</summary>
    /// <exception cref="InvalidOperationException">No contender was added.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secondsPerContender"/> is negative.</exception>
    public IReadOnlyList<RaceResult> Run(double secondsPerContender)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondsPerContender);
        if (_contenders.Count == 0) throw new InvalidOperationException("Add at least one contender before running the race.");
        var latencies = LatencyMeter.Compare(_contenders.Select(c => c.Run).ToArray(), secondsPerContender * _contenders.Count);
        return _contenders.Select((c, i) => new RaceResult(c.Name, latencies[i])).ToArray();
    }

    /// <summary>Throws unless <paramref name="actual"/> matches <paramref name="expected"/> within 1e-4 of its largest magnitude.</summary>
    /// <exception cref="InvalidOperationException">Lengths differ, or a value differs by more than the tolerance (index and values named).</exception>
    public static void CheckClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string who)
    {
        if (expected.Length != actual.Length) throw new InvalidOperationException($"{who} returned {actual.Length} values; expected {expected.Length}.");
        float scale = Math.Max(1e-6f, Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected)));
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-4f * scale)
                throw new InvalidOperationException($"{who} disagrees with Topiary at output {i}: {actual[i]} vs {expected[i]}.");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _ort) r.Dispose();
        _ort.Clear();
        foreach (var f in _files) File.Delete(f);
        _files.Clear();
    }

    private Tensor Reference(Module model)
    {
        if (!_references.TryGetValue(model, out var r))
            _references[model] = r = model.Forward(_input, training: false).Clone();
        return r;
    }
}
