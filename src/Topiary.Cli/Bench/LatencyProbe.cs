// LatencyProbe: one model's median latency per call on a fixed seeded input, in Topiary (Module.Forward) or in ONNX
// Runtime (the model exported to a temporary file; outputs pre-bound) — the measurement behind a latency budget.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Bench;

/// <summary>Measures one model's latency.</summary>
public static class LatencyProbe
{
    /// <summary>Median µs per call of <paramref name="model"/> on a [batch, ..shape] input, timed for about half a second.</summary>
    public static double MedianUs(Module model, int[] shape, int batch, bool onOrt, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        var x = new Tensor([batch, .. shape]);
        var rng = new Random(batch);
        for (int i = 0; i < x.Length; i++) x.Data[i] = (float)rng.NextDouble();
        using var race = new LatencyRace(x, shape, threads);
        if (onOrt) race.AddOrt("ort", model);
        else race.AddForward("topiary", model);
        return race.Run(0.5)[0].Latency.MedianUs;
    }
}
