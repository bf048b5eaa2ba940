// OnnxVerify: `topiary import --verify` — runs ONNX Runtime on the original file and Topiary on the imported model with
// the same inputs (seeded N(0, 1) values of the file's input shapes with batch 1, or the user's arrays) and reports, per
// output, the largest |difference| against the tolerance 1e-4 · max|ORT output|. The import fails verification (exit 1)
// when any output exceeds it.
using Microsoft.ML.OnnxRuntime;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

/// <summary>One output's comparison.</summary>
/// <param name="Output">Output name.</param>
/// <param name="Shape">Output shape.</param>
/// <param name="MaxAbsDifference">Largest |ORT − Topiary|.</param>
/// <param name="MaxAbsReference">Largest |ORT| (the tolerance scale).</param>
/// <param name="Tolerance">1e-4 · MaxAbsReference.</param>
public sealed record OnnxVerifyOutput(string Output, int[] Shape, double MaxAbsDifference, double MaxAbsReference, double Tolerance)
{
    /// <summary>True when the difference is within the tolerance.</summary>
    public bool Passed => MaxAbsDifference <= Tolerance;
}

/// <summary>Runs ONNX Runtime and Topiary side by side on an imported file.</summary>
public static class OnnxVerify
{
    /// <summary>Relative tolerance: max |difference| ≤ RelativeTolerance · max |reference|.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>Seeded inputs of the file's shapes (batch 1): N(0, 1) values.</summary>
    public static IReadOnlyList<Tensor> SeededInputs(OnnxImportInfo info, int seed)
    {
        ArgumentNullException.ThrowIfNull(info);
        var rng = new Random(seed);
        return info.Inputs.Select(i => Tensor.RandomNormal(rng, 1f, [1, .. i.Shape.Skip(1)])).ToArray();
    }

    /// <summary>Compares ORT on <paramref name="onnxPath"/> with <paramref name="model"/> on <paramref name="inputs"/> (one per graph input).</summary>
    /// <exception cref="ArgumentException">The inputs do not match the model's inputs.</exception>
    public static IReadOnlyList<OnnxVerifyOutput> Compare(string onnxPath, Module model, OnnxImportInfo info, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != info.Inputs.Count)
            throw new ArgumentException($"the model has {info.Inputs.Count} inputs ({string.Join(", ", info.Inputs.Select(i => i.Name))}); {inputs.Count} arrays were given.");
        for (int i = 0; i < inputs.Count; i++)
        {
            var expected = info.Inputs[i].Shape;
            var actual = inputs[i].Shape.ToArray();
            if (actual.Length != expected.Length || Enumerable.Range(0, expected.Length).Any(d => expected[d] != actual[d] && (d > 0 || expected[0] > 0)))
                throw new ArgumentException($"input '{info.Inputs[i].Name}' has shape {Tensor.ShapeString(expected)} (−1 = any batch; ONNX Runtime runs the file only at the batch it states); the array given has {Tensor.ShapeString(actual)}.");
        }
        IReadOnlyList<Tensor> ours = model is GraphOp op ? op.Forward(inputs, training: false) : [model.Forward(inputs[0], training: false)];

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(onnxPath, options);
        var values = new List<OrtValue>();
        try
        {
            foreach (var t in inputs) values.Add(OrtValue.CreateTensorValueFromMemory(t.Data, t.Shape.ToArray().Select(d => (long)d).ToArray()));
            var names = info.Inputs.Select(i => i.Name).ToArray();
            // Inputs the file declares but the graph never reads are fed zeros of their declared shape.
            foreach (var meta in session.InputMetadata.Where(m => !names.Contains(m.Key)))
            {
                var dims = meta.Value.Dimensions.Select(d => d < 1 ? 1L : d).ToArray();
                values.Add(OrtValue.CreateTensorValueFromMemory(new float[dims.Aggregate(1L, (a, b) => a * b)], dims));
                names = [.. names, meta.Key];
            }
            using var run = new RunOptions();
            using var results = session.Run(run, names, values, info.Outputs.ToArray());
            var report = new List<OnnxVerifyOutput>();
            for (int k = 0; k < info.Outputs.Count; k++)
            {
                var reference = results[k].GetTensorDataAsSpan<float>();
                var mine = ours[k];
                var shape = results[k].GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
                if (reference.Length != mine.Length)
                {
                    report.Add(new OnnxVerifyOutput(info.Outputs[k], shape, double.PositiveInfinity, 0, 0));
                    continue;
                }
                double diff = 0, scale = 0;
                for (int i = 0; i < reference.Length; i++)
                {
                    scale = Math.Max(scale, Math.Abs(reference[i]));
                    double d = Math.Abs(reference[i] - mine.Data[i]);
                    if (!(d <= diff)) diff = double.IsNaN(d) ? double.PositiveInfinity : d;
                }
                report.Add(new OnnxVerifyOutput(info.Outputs[k], shape, diff, scale, RelativeTolerance * scale));
            }
            return report;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
