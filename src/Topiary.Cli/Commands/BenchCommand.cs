// `topiary bench --model-file F | --model NAME [--batch N] [--compare ort] [--densities D [--granularity G]] [--layers]`: latency of one model (a file —
// a model file, or an ONNX file imported on the fly as `predict` does —, or
// a paper network at its published input size with random weights; optionally pruned one-shot to a density profile), measured in one run:
// Topiary's dense kernels (Module.Forward), Topiary's compiled plan (a chain's InferencePlan: sparse kernels where
// weights are pruned), Topiary's fused copy (InferenceGraph.Fuse: BatchNorm folded, residual add and activation in the
// convolution's epilogue, Winograd where it measures faster; for graphs, chains the plan cannot run, and any model
// with convolutions), and, with --compare ort, ONNX Runtime running the same weights densely from an exported file.
// Median and p99 per call, all runtimes timed interleaved in one loop; ratios against ORT (speedup_vs_ort: the faster of
// plan and fused); with several threads, the core-to-core round trip just before and after timing. Outputs are
// cross-checked before anything is timed (the shared machinery is Bench/LatencyRace).
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Bench;
using Topiary.Cli.Reports;
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

/// <summary>The <c>bench</c> command.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Option<string?>("--model-file") { Description = "The model to time: a model file (safetensors or .tpz) or an ONNX file, imported at its static input shape (or --model)." };
        var paper = new Option<string?>("--model") { Description = $"A seed paper's network at ImageNet size with seeded random weights instead of a file: {string.Join(", ", PaperNetworks.Names)} (input random)." };
        paper.AcceptOnlyFromAmong([.. PaperNetworks.Names]);
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 1 };
        var compare = new Option<string?>("--compare") { Description = "Also time a peer runtime: ort." };
        compare.AcceptOnlyFromAmong("ort");
        var seconds = new Option<double>("--seconds") { Description = "Timing budget per runtime.", DefaultValueFactory = _ => 2.0 };
        var input = new Option<string>("--input") { Description = "Input: mnist (the first test images, the model's pixel scaling) or random.", DefaultValueFactory = _ => "mnist" };
        input.AcceptOnlyFromAmong("mnist", "random");
        var threads = new Option<int>("--threads") { Description = "Threads for every runtime (1 = single core, the batch-1 latency setting).", DefaultValueFactory = _ => 1 };
        var weights = new Option<string>("--weights") { Description = "Weights: file (as saved) or random (every Conv2d/Linear re-drawn Kaiming-uniform, seed 1: for architectures whose file carries placeholder weights).", DefaultValueFactory = _ => "file" };
        weights.AcceptOnlyFromAmong("file", "random");
        var densities = new Option<string>("--densities") { Description = "Prune before timing, one shot by magnitude: dense (as loaded), han2015 (Han et al. 2015's published per-layer kept fractions; alexnet, vgg16, the LeNets), a uniform density (0.3; conv:0.3 or fc:0.1 for one kind) or a JSON file {\"layer\": density} (by name, or by position when it lists every weight layer).", DefaultValueFactory = _ => "dense" };
        var granularity = new Option<string>("--granularity") { Description = $"Groups --densities prunes by magnitude (Mao et al. 2017): {string.Join(", ", Experiments.Mao2017.GranularityNames)}.", DefaultValueFactory = _ => "fine" };
        granularity.AcceptOnlyFromAmong([.. Experiments.Mao2017.GranularityNames]);
        var layers = new Option<bool>("--layers") { Description = "Also time every layer alone: the fused copy's (each convolution with the algorithm it chose), else the dense forward's (per-layer median µs, MACs, GFLOP/s; console: the ten slowest)." };
        var measureFormats = new Option<bool>("--measure-formats") { Description = "Let the plan pick each layer's format by timing every candidate (default: by the weight's structure)." };
        var cmd = new Command("bench", "Measure inference latency: Topiary dense, Topiary plan, ONNX Runtime dense.") { file, paper, batch, compare, input, weights, densities, granularity, seconds, threads, measureFormats, layers };
        return cmd.Reports((parse, json, ct) =>
        {
            int n = CommonOptions.AtLeast(parse.GetValue(batch), 1, "--batch"), t = parse.GetValue(threads);
            CommonOptions.ApplyThreads(t);
            double budget = parse.GetValue(seconds);
            string? path = parse.GetValue(file), paperName = parse.GetValue(paper);
            if ((path is null) == (paperName is null)) throw new ArgumentException("Give exactly one of --model-file and --model.");
            OutputGuard.Check([("--model-file", path)], [("--json", json)]);
            LoadedModel loaded;
            int[] example;
            if (paperName is not null)
            {
                loaded = new LoadedModel(paperName, PaperNetworks.Create(paperName), new Dictionary<string, string>());
                example = PaperNetworks.InputShape(paperName);
            }
            else if (Path.GetExtension(path!).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                // An ONNX file, imported as `topiary predict` imports one, at the graph's static input shape.
                var imported = PredictModel.Load(path!);
                loaded = new LoadedModel(imported.Name, imported.Network, new Dictionary<string, string>());
                example = imported.InputShape is { } declared && ModelInputShape.IsComplete(declared)
                    ? declared
                    : throw new InvalidDataException($"{path}: the graph's input shape is not static; import it with `topiary import --input-shape` and bench the model file.");
            }
            else
            {
                loaded = ModelFile.Load(path!);
                example = CommonOptions.InputShape(loaded, path!);
            }
            if (path is not null && parse.GetValue(weights) == "random") KaimingInit.Apply(loaded.Network, new Random(1));
            var profile = LayerDensities.Parse(parse.GetValue(densities)!, paperName ?? loaded.Name);
            var pruned = profile.Apply(loaded.Network, Experiments.Mao2017.Granularity(parse.GetValue(granularity)!));
            if (pruned.Count > 0)
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(profile.Source)}: {Markup.Escape(string.Join(", ", pruned.Select(p => $"{p.Layer.Name} {p.Kept:0.##}")))} kept[/]");
            int[] shape = [n, .. example];
            var x = Tensor.RandomUniform(new Random(1), 1f, shape);
            for (int i = 0; i < x.Length; i++) x[i] = Math.Abs(x[i]);
            // MNIST images only for a model that takes them; a default --input for a model of another size means random.
            bool mnist = parse.GetValue(input) == "mnist" && paperName is null;
            if (mnist && example.Aggregate(1, (a, b) => a * b) != MnistPixels)
            {
                if (parse.GetResult(input) is { Implicit: false })
                    throw new ArgumentException($"--input mnist: the model takes [{string.Join(", ", example)}] examples, not MNIST's 28 × 28 pixels; use --input random.");
                mnist = false;
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape($"input: random (the model takes [{string.Join(", ", example)}] examples, not MNIST images)")}[/]");
            }
            if (mnist)
            {
                var test = CommonOptions.Data(loaded, null, ct);
                if (n > test.Count) throw new ArgumentException($"--batch {n} exceeds the {test.Count} test images.");
                test.Images.AsSpan(0, x.Length).CopyTo(x.Span);
            }
            // Every runtime is timed interleaved in one loop, so machine noise hits all of them alike.
            IReadOnlyList<RaceResult> rows;
            double? roundTripBefore, roundTripAfter;
            Topiary.Nn.Module? fusedCopy = null;
            using (var race = new LatencyRace(x, example, t))
            {
                race.AddForward("topiary dense", loaded.Network);
                bool compiled = false;
                if (loaded.Network is Topiary.Nn.Sequential)
                {
                    try
                    {
                        var plan = race.AddPlan("topiary plan", loaded.Network, parse.GetValue(measureFormats) ? new PlanOptions { Measure = true } : PlanOptions.Default);
                        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(plan.Describe())}[/]");
                        compiled = true;
                    }
                    catch (NotSupportedException e)
                    {
                        AnsiConsole.MarkupLine($"[grey]no compiled plan: {Markup.Escape(e.Message)}[/]");
                    }
                }
                // The frozen, fused copy: for every graph, every chain the compiled plan cannot run, and every model with
                // convolutions (where it may pick Winograd); the faster of the two is Topiary's figure.
                if (!compiled || loaded.Network.NamedModules().Any(m => m.Module is Topiary.Nn.Conv2d)) fusedCopy = AddFused(race, loaded.Network).Model;
                if (parse.GetValue(compare) == "ort") race.AddOrt("onnxruntime dense", loaded.Network);
                roundTripBefore = t > 1 ? CoreLatency.RoundTripNanoseconds() : null;
                rows = race.Run(budget);
                roundTripAfter = t > 1 ? CoreLatency.RoundTripNanoseconds() : null;
            }
            if (roundTripBefore is double before && roundTripAfter is double after)
            {
                AnsiConsole.MarkupLine($"[grey]core-to-core round trip of a cache line: {before:F0} ns before timing, {after:F0} ns after " +
                    "(on a virtual machine it moves with where the host runs the cores; when high, every parallel region costs more)[/]");
                if (CoreLatency.Moved(before, after))
                    AnsiConsole.MarkupLine("[yellow]warning: the cores moved during timing (round trip before and after differ more than " +
                        $"{CoreLatency.MovedRatio}x); the {t}-thread figures mix two states of the host[/]");
            }
            double? Us(string name) => rows.Where(r => r.Name == name).Select(r => (double?)r.Latency.MedianUs).FirstOrDefault();
            double? planUs = Us("topiary plan"), fusedUs = Us("topiary fused"), ortUs = Us("onnxruntime dense");
            double? bestUs = planUs is null ? fusedUs : fusedUs is null ? planUs : Math.Min(planUs.Value, fusedUs.Value);

            CliOutput.Table($"{loaded.Name}, batch {n}, {t} thread(s)", ["runtime", "median µs", "p99 µs", "calls", "vs ORT"],
                rows.Select(r => new[] { r.Name, F(r.Latency.MedianUs), F(r.Latency.P99Us), $"{r.Latency.Calls}", ortUs is double o ? $"{o / r.Latency.MedianUs:F2}x" : "" }));
            double denseUs = rows[0].Latency.MedianUs;
            // Per layer: the fused copy's layers when there is one (with each convolution's chosen algorithm), else the dense forward's.
            IReadOnlyList<LayerTime>? layerTimes = parse.GetValue(layers) ? LayerProfile.Measure(fusedCopy ?? loaded.Network, x) : null;
            if (layerTimes is not null)
            {
                CliOutput.Table($"slowest layers of the {(fusedCopy is null ? "dense forward" : "fused copy")} (alone: repeated on warm caches; in network: inside whole passes)",
                    ["layer", "", "alone µs", "GFLOP/s", "in network µs"],
                    layerTimes.OrderByDescending(l => l.MedianUs).Take(10).Select(l => new[]
                    {
                        Markup.Escape(l.Name), Markup.Escape(l.Layer), F(l.MedianUs), l.Macs == 0 ? "" : $"{l.GflopPerSecond:F1}", F(l.InNetworkUs),
                    }));
            }
            return new BenchReport(
                Model: loaded.Name,
                Batch: n,
                Threads: t,
                Input: mnist ? "mnist" : "random",
                Densities: profile.Source,
                Granularity: parse.GetValue(granularity)!,
                KeptFractions: pruned.ToDictionary(p => p.Layer.Name, p => p.Layer.KeptFraction),
                OrtDenseUs: ortUs,
                TopiaryDenseUs: denseUs,
                TopiaryPlanUs: planUs,
                TopiaryFusedUs: fusedUs,
                SpeedupVsOrt: ortUs is double ou && bestUs is double bu ? ou / bu : null,
                DenseSpeedupVsOrt: ortUs is double ou2 ? ou2 / denseUs : null,
                Runtimes: rows.Select(r => BenchRuntime.Of(r.Name, r.Latency)).ToArray(),
                Layers: layerTimes,
                CoreRoundTripBeforeNs: roundTripBefore,
                CoreRoundTripAfterNs: roundTripAfter);
        }, threads: false);
    }

    private static FusedModel AddFused(LatencyRace race, Topiary.Nn.Module model)
    {
        var fused = race.AddFused("topiary fused", model);
        AnsiConsole.MarkupLine($"[grey]fused: a frozen copy for inference ({fused.FoldedNorms} BatchNorms folded, " +
            $"{fused.FusedResiduals} residual adds and {fused.FusedActivations} activations in convolution epilogues; {fused.ConcatsInPlace} concatenations written in place; " +
            $"{fused.ChannelsLastConvs} convolutions channels last; per-layer algorithm by measurement)[/]");
        return fused;
    }

    // Pixels of an MNIST or Fashion-MNIST image (the datasets --input mnist draws from).
    private const int MnistPixels = 28 * 28;

    private static string F(double us) => us.ToString("F1", CultureInfo.InvariantCulture);
}
