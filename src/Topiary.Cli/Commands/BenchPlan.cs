// BenchPlan: the compiled-plan contender of `topiary bench` (each weight layer in the format FormatChooser
// picks — by structure, or by timing every candidate — bias and ReLU fused). Returns null when no plan can be
// compiled for the model; the plan's output is checked against the model's before it is timed.
using Spectre.Console;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

internal static class BenchPlan
{
    public static Action? Compile(Module model, int[] example, int batch, Tensor x, Tensor reference, bool measure)
    {
        if (model is not Sequential seq) return null;
        InferencePlan plan;
        try
        {
            plan = InferencePlan.Compile(seq, example, batch, measure ? new PlanOptions { Measure = true } : PlanOptions.Default);
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
        return () => plan.Run(x.Data, output);
    }
}
