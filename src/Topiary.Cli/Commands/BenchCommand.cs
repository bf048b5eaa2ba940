// `topiary bench --model-file F [--batch N] [--compare ort]`: latency of one model, measured in one run:
// Topiary's dense kernels (Module.Forward), Topiary's compiled plan (sparse kernels where weights are
// pruned), and, with --compare ort, ONNX Runtime running the same weights densely from an exported file.
// Median and p99 per call, all runtimes timed interleaved in one loop; ratios against ORT. Outputs are
// cross-checked before anything is timed.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Bench;
using Topiary.Models;
using Topiary.Onnx;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

/// <summary>The <c>bench</c> command.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Option<string>("--model-file") { Description = "The model to time.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 1 };
        var compare = new Option<string?>("--compare") { Description = "Also time a peer runtime: ort." };
        compare.AcceptOnlyFromAmong("ort");
        var seconds = new Option<double>("--seconds") { Description = "Timing budget per runtime.", DefaultValueFactory = _ => 2.0 };
        var input = new Option<string>("--input") { Description = "Input: mnist (the first test images, the model's pixel scaling) or random.", DefaultValueFactory = _ => "mnist" };
        input.AcceptOnlyFromAmong("mnist", "random");
        var threads = new Option<int>("--threads") { Description = "Threads for every runtime (1 = single core, the batch-1 latency setting).", DefaultValueFactory = _ => 1 };
        var measureFormats = new Option<bool>("--measure-formats") { Description = "Let the plan pick each layer's format by timing every candidate (default: by the weight's structure)." };
        var json = CommonOptions.Json();
        var cmd = new Command("bench", "Measure inference latency: Topiary dense, Topiary plan, ONNX Runtime dense.") { file, batch, compare, input, seconds, threads, measureFormats, json };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            int n = parse.GetValue(batch), t = parse.GetValue(threads);
            if (n < 1) throw new ArgumentException($"--batch must be at least 1; got {n}.");
            CommonOptions.ApplyThreads(t);
            double budget = parse.GetValue(seconds);
            OutputGuard.Check([("--model-file", parse.GetValue(file))], [("--json", parse.GetValue(json))]);
            var loaded = ModelFile.Load(parse.GetValue(file)!);
            int[] example = ModelZoo.Names.Contains(loaded.Name) ? ModelZoo.Get(loaded.Name).InputShape : [1, 28, 28];
            int[] shape = [n, .. example];
            var x = Tensor.RandomUniform(new Random(1), 1f, shape);
            for (int i = 0; i < x.Length; i++) x[i] = Math.Abs(x[i]);
            if (parse.GetValue(input) == "mnist")
            {
                var transform = ModelFile.InputTransform(loaded.Metadata);
                var test = Training.TrainingRun.LoadDataset(loaded.Metadata.GetValueOrDefault("dataset") ?? "mnist", Data.DatasetSplit.Test, transform: transform);
                if (n > test.Count) throw new ArgumentException($"--batch {n} exceeds the {test.Count} test images.");
                test.Images.AsSpan(0, x.Length).CopyTo(x.Span);
            }
            var reference = loaded.Network.Forward(x, training: false).Clone();

            // Every runtime is timed interleaved in one loop, so machine noise hits all of them alike.
            var contenders = new List<(string Name, Action Run)> { ("topiary dense", () => loaded.Network.Forward(x, training: false)) };
            if (BenchPlan.Compile(loaded.Network, example, n, x, reference, parse.GetValue(measureFormats)) is { } planRun)
                contenders.Add(("topiary plan", planRun));
            OrtRunner? ort = null;
            string onnx = Path.Combine(Path.GetTempPath(), $"topiary-bench-{Environment.ProcessId}.onnx");
            IReadOnlyList<Latency> latencies;
            try
            {
                if (parse.GetValue(compare) == "ort")
                {
                    OnnxExporter.Export(loaded.Network, example, onnx);
                    ort = new OrtRunner(onnx, x.Data, shape.Select(d => (long)d).ToArray(), t);
                    CheckClose(reference.Data, ort.Run(), "ONNX Runtime");
                    contenders.Add(("onnxruntime dense", ort.RunDiscard));
                }
                latencies = LatencyMeter.Compare(contenders.Select(c => c.Run).ToArray(), budget * contenders.Count);
            }
            finally
            {
                ort?.Dispose();
                File.Delete(onnx);
            }
            var rows = contenders.Select((c, i) => (c.Name, L: latencies[i])).ToList();
            double? planUs = rows.Where(r => r.Name == "topiary plan").Select(r => (double?)r.L.MedianUs).FirstOrDefault();
            double? ortUs = rows.Where(r => r.Name == "onnxruntime dense").Select(r => (double?)r.L.MedianUs).FirstOrDefault();

            var table = new Table().Title($"{loaded.Name}, batch {n}, {t} thread(s)").AddColumns("runtime", "median µs", "p99 µs", "calls", "vs ORT");
            foreach (var (name, l) in rows)
                table.AddRow(name, F(l.MedianUs), F(l.P99Us), $"{l.Calls}", ortUs is double o ? $"{o / l.MedianUs:F2}x" : "");
            AnsiConsole.Write(table);
            double denseUs = rows[0].L.MedianUs;
            JsonReport.Write(parse.GetValue(json), new
            {
                Model = loaded.Name,
                Batch = n,
                Threads = t,
                Input = parse.GetValue(input),
                OrtDenseUs = ortUs,
                TopiaryDenseUs = denseUs,
                TopiaryPlanUs = planUs,
                SpeedupVsOrt = ortUs is double ou && planUs is double pu ? ou / pu : (double?)null,
                DenseSpeedupVsOrt = ortUs is double ou2 ? ou2 / denseUs : (double?)null,
                Runtimes = rows.Select(r => new { r.Name, r.L.MedianUs, r.L.P99Us, r.L.MinUs, r.L.Calls }),
            });
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>Throws unless <paramref name="actual"/> matches <paramref name="expected"/> within 1e-4 of its largest magnitude.</summary>
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

    private static string F(double us) => us.ToString("F1", CultureInfo.InvariantCulture);
}
