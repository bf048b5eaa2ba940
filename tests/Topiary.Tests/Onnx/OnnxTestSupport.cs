// OnnxTestSupport: the shared PyTorch model (located from the repo root and verified by SHA-256),
// ONNX Runtime as the reference implementation, and a tolerance check that prints the first differing
// values and the largest difference.
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Onnx;

internal static class OnnxTestSupport
{
    public const string SharedModelSha256 = "5b995ebc7345ce5f2495330acd927d60ea6a963edb032ea00f2715e3388e78f2";

    /// <summary>
    /// The shared PyTorch model: the repository's copy in tests/fixtures (so a clean clone anywhere has it), else
    /// ../shared/models next to the repository; its hash is checked either way.
    /// </summary>
    public static string SharedModelPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Topiary.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("Topiary.slnx not found above " + AppContext.BaseDirectory);
        string path = Path.Combine(dir.FullName, "tests", "fixtures", "mnist-cnn-pytorch.onnx");
        if (!File.Exists(path)) path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models", "mnist-cnn-pytorch.onnx"));
        Assert.True(File.Exists(path), $"Shared model not found at {path}.");
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(SharedModelSha256, sha);
        return path;
    }

    /// <summary>Runs <paramref name="path"/> in ONNX Runtime on one float input; returns the flat output.</summary>
    public static float[] RunOrt(string path, float[] input, int[] shape, string inputName = "input", string outputName = "output")
    {
        using var session = new InferenceSession(path);
        return RunOrt(session, input, shape, inputName, outputName);
    }

    /// <summary>Runs an open ONNX Runtime session on one float input; returns the flat output.</summary>
    public static float[] RunOrt(InferenceSession session, float[] input, int[] shape, string inputName = "input", string outputName = "output")
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var outputs = session.Run(options, [inputName], [value], [outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Runs <paramref name="path"/> in ONNX Runtime on several named float inputs; returns the named outputs, flat, in order.</summary>
    public static float[][] RunOrt(string path, IReadOnlyList<(string Name, float[] Data, int[] Shape)> inputs, IReadOnlyList<string> outputs)
    {
        using var session = new InferenceSession(path);
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape.Select(d => (long)d).ToArray())).ToArray();
        try
        {
            using var options = new RunOptions();
            using var results = session.Run(options, inputs.Select(i => i.Name).ToArray(), values, outputs.ToArray());
            return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>Our evaluation-mode outputs of a multi-input op (copied out of the op-owned buffers).</summary>
    public static float[][] RunOurs(GraphOp model, IReadOnlyList<(string Name, float[] Data, int[] Shape)> inputs) =>
        model.Forward(inputs.Select(i => new Tensor((float[])i.Data.Clone(), i.Shape)).ToArray(), training: false)
            .Select(t => (float[])t.Data.Clone()).ToArray();

    /// <summary>Our evaluation-mode output for <paramref name="input"/> (copied out of the layer-owned buffer).</summary>
    public static float[] RunOurs(Module model, float[] input, int[] shape) =>
        (float[])model.Forward(new Tensor((float[])input.Clone(), shape), training: false).Data.Clone();

    /// <summary>Asserts max |ours − reference| ≤ 1e-4 · max |reference|, printing the evidence on failure.</summary>
    public static void AssertClose(float[] reference, float[] ours, string what)
    {
        Assert.Equal(reference.Length, ours.Length);
        float scale = reference.Max(MathF.Abs);
        float tolerance = 1e-4f * scale;
        int worst = -1, firstBad = -1;
        float largest = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            float d = MathF.Abs(reference[i] - ours[i]);
            if (!(d <= largest)) { largest = d; worst = i; }
            if (!(d <= tolerance) && firstBad < 0) firstBad = i;
        }
        if (firstBad >= 0)
            Assert.Fail($"{what}: first difference at [{firstBad}]: reference {reference[firstBad]}, ours {ours[firstBad]}; " +
                $"largest |diff| {largest} at [{worst}] (reference {reference[worst]}, ours {ours[worst]}); tolerance {tolerance}.");
    }

    /// <summary>Number of rows of [n, classes] logits whose arg-max equals the label.</summary>
    public static int Correct(float[] logits, int[] labels, int classes)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
            if (best == labels[i]) correct++;
        }
        return correct;
    }

    /// <summary>Seeded uniform(−1, 1) values.</summary>
    public static float[] RandomInput(int seed, int count)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
