// BenchPlan: the compiled-plan row of `topiary bench` (CSR kernels where weights are pruned, dense
// elsewhere, bias and ReLU fused). Returns null when no plan can be compiled for the model.
using Spectre.Console;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

internal static class BenchPlan
{
    public static double? Measure(Module model, int[] example, int batch, Tensor x, Tensor reference, double budget,
        List<(string Name, Latency L)> rows)
    {
        if (model is not Sequential seq) return null;
        InferencePlan plan;
        try
        {
            plan = InferencePlan.Compile(seq, example, batch);
        }
        catch (NotSupportedException e)
        {
            AnsiConsole.MarkupLine($"[grey]no compiled plan: {Markup.Escape(e.Message)}[/]");
            return null;
        }
        var output = new float[reference.Length];
        plan.Run(x.Data, output);
        BenchCommand.CheckClose(reference.Data, output, "the compiled plan");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(plan.Describe())}[/]");
        var l = LatencyMeter.Measure(() => plan.Run(x.Data, output), budget);
        rows.Add(("topiary plan", l));
        return l.MedianUs;
    }
}
