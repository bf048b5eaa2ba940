// `topiary demo`: the README's main job. For now: fetch MNIST, train LeNet-300-100 briefly,
// evaluate, save the model and print a result table. Later stages (prune, compress, bench,
// energy, report) are added by their issues.
using System.CommandLine;
using Spectre.Console;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>demo</c> command.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var quick = new Option<bool>("--quick") { Description = "A ~1 minute run on a subset of the data." };
        var outDir = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "report" };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("demo", "Fetch MNIST, train LeNet-300-100 and report.") { quick, outDir, json, threads };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            bool isQuick = parse.GetValue(quick);
            string dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            AnsiConsole.Write(new Rule("[bold]Topiary demo[/]: train LeNet-300-100 on MNIST"));
            var options = new TrainingRunOptions
            {
                Model = "lenet-300-100",
                Dataset = "mnist",
                Epochs = isQuick ? 2 : 10,
                TrainLimit = isQuick ? 20_000 : null,
                Seed = 1,
            };
            var result = TrainCommand.Execute(options, ct);
            string modelPath = Path.Combine(dir, "lenet-300-100.safetensors");
            TrainCommand.SaveModel(modelPath, result);
            var report = TrainCommand.Report(result, modelPath);
            JsonReport.Write(Path.Combine(dir, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }
}
