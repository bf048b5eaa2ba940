// CorpusOrt: ONNX Runtime as the oracle for the corpus and the real files — finds a model's one data input (a graph
// input that is not an initializer) and its shape at a chosen batch (a symbolic first dim takes the batch; a static
// one must equal it), makes a seeded input, runs a file and returns its first output's values and shape, and lists
// the session's input/output names. Symbolic dims other than the first are not supported (InvalidOperationException).
using Microsoft.ML.OnnxRuntime;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Onnx.Corpus;

internal static class CorpusOrt
{
    /// <summary>The graph's data input: its name, and whether its first (batch) dim is symbolic.</summary>
    public static (string Name, bool SymbolicBatch, int[] ShapeWithoutBatch) DataInput(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw new InvalidOperationException($"Expected one data input, found {inputs.Count}: {string.Join(", ", inputs.Select(i => i.Name))}.");
        var dims = inputs[0].Type.TensorType.Shape.Dim;
        var rest = new int[dims.Count - 1];
        for (int i = 1; i < dims.Count; i++)
        {
            if (!dims[i].HasDimValue) throw new InvalidOperationException($"Input '{inputs[0].Name}': dim {i} is symbolic ('{dims[i].DimParam}').");
            rest[i - 1] = (int)dims[i].DimValue;
        }
        bool symbolic = !dims[0].HasDimValue;
        if (!symbolic && dims[0].DimValue != 1) throw new InvalidOperationException($"Input '{inputs[0].Name}': static batch {dims[0].DimValue}, expected 1.");
        return (inputs[0].Name, symbolic, rest);
    }

    /// <summary>Batches to test: 1, and 3 when the batch dim is symbolic.</summary>
    public static int[] Batches(ModelProto model) => DataInput(model).SymbolicBatch ? [1, 3] : [1];

    /// <summary>Seeded uniform(−1, 1) input of [batch, ...shapeWithoutBatch].</summary>
    public static (float[] Values, int[] Shape) SeededInput(int[] shapeWithoutBatch, int batch, int seed)
    {
        int[] shape = [batch, .. shapeWithoutBatch];
        int count = shape.Aggregate(1, (a, d) => a * d);
        return (OnnxTestSupport.RandomInput(seed, count), shape);
    }

    /// <summary>Runs <paramref name="session"/> on one float input; returns the first output's values and shape.</summary>
    public static (float[] Values, long[] Shape) Run(InferenceSession session, string inputName, float[] x, int[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(x, shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var outputs = session.Run(options, [inputName], [value], [session.OutputNames[0]]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>Runs the file at <paramref name="path"/>; see <see cref="Run(InferenceSession, string, float[], int[])"/>.</summary>
    public static (float[] Values, long[] Shape) Run(string path, string inputName, float[] x, int[] shape)
    {
        using var session = new InferenceSession(path);
        return Run(session, inputName, x, shape);
    }

    /// <summary>The session's input and output names (ONNX Runtime lists only data inputs).</summary>
    public static (string[] Inputs, string[] Outputs) Names(string path)
    {
        using var session = new InferenceSession(path);
        return ([.. session.InputNames], [.. session.OutputNames]);
    }
}
