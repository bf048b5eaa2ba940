// `topiary predict`: run a model (model file, .tpz, or .onnx imported on the fly) on a .npy array, an image, a folder of
// images or an IDX image file, in evaluation mode and in batches, and report each input's top-k classes with softmax
// probabilities (ClassScores: outputs that already are probabilities are used as they are; log-probabilities give the
// same probabilities under softmax). Writes: --json {"predictions": [{"input", "class", "score", "top_k": [{"class",
// "score"}]}]} ("input" is the image path, or the index into a .npy/IDX file) and --out, the raw outputs as a float32
// .npy [N, classes] — both atomically, after OutputGuard has checked that no output is an input.
// Pixel handling (images, IDX, uint8 arrays): --mean/--std (torchvision's (x/255 - mean)/std) or --input-transform NAME,
// else the model file's own transform; the default size and channel count are the model's input shape when known.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Data;
using Topiary.IO;
using Topiary.Runtime;

namespace Topiary.Cli.Commands;

/// <summary>The <c>predict</c> command.</summary>
public static class PredictCommand
{
    /// <summary>Rows of the console table; the rest are counted under it (all of them are in --json).</summary>
    public const int DisplayedRows = 20;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Option<string>("--model-file") { Description = "A model file (.safetensors, .tpz) or an ONNX model (.onnx, imported on the fly).", Required = true };
        var input = new Option<string>("--input") { Description = "A .npy array, an image (PNG, JPEG, BMP, WebP, GIF), a folder of images, or an IDX image file.", Required = true };
        var json = CommonOptions.Json();
        var topK = new Option<int>("--top-k") { Description = "Classes listed per input.", DefaultValueFactory = _ => 5 };
        var labels = new Option<string?>("--labels") { Description = "A text file with one class name per line (line k names class k)." };
        var output = new Option<string?>("--out") { Description = "Write the raw model outputs as a float32 .npy array [N, classes]." };
        var size = new Option<string?>("--size") { Description = "Resize images to H,W (or S for S,S); default: the model's input size." };
        var resize = new Option<string>("--resize") { Description = "stretch (whole image, aspect not kept) or center-crop (largest centred region, then resize).", DefaultValueFactory = _ => "stretch" };
        var mean = new Option<string?>("--mean") { Description = "Per-channel mean after x/255, e.g. 0.485,0.456,0.406 (or one value)." };
        var std = new Option<string?>("--std") { Description = "Per-channel std after x/255, e.g. 0.229,0.224,0.225 (or one value)." };
        var transformName = new Option<string?>("--input-transform") { Description = $"A normalisation preset instead of --mean/--std: {string.Join(", ", ImageTransform.PresetNames)}." };
        var layout = new Option<string>("--layout") { Description = "Axis order the model takes images in: nchw or nhwc.", DefaultValueFactory = _ => "nchw" };
        var grayscale = new Option<bool>("--grayscale") { Description = "Convert images to one luminance channel (the default when the model takes one channel)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Inputs per forward pass.", DefaultValueFactory = _ => 64 };
        var threads = CommonOptions.Threads();
        var cmd = new Command("predict", "Classify images or arrays with a model and list the top classes.")
        {
            file, input, json, topK, labels, output, size, resize, mean, std, transformName, layout, grayscale, batchSize, threads,
        };
        return cmd.Runs((parse, ct) =>
        {
            string modelPath = parse.GetValue(file)!, inputPath = parse.GetValue(input)!;
            string? labelsPath = parse.GetValue(labels), outPath = parse.GetValue(output), jsonPath = parse.GetValue(json);
            OutputGuard.Check([("--model-file", modelPath), ("--input", inputPath), ("--labels", labelsPath)], [("--out", outPath), ("--json", jsonPath)]);
            int k = CommonOptions.AtLeast(parse.GetValue(topK), 1, "--top-k"), batch = CommonOptions.AtLeast(parse.GetValue(batchSize), 1, "--batch-size");
            var request = new PixelRequest(
                ParseSize(parse.GetValue(size)), ParseResize(parse.GetValue(resize)!), CommonOptions.Numbers("--mean", parse.GetValue(mean)),
                CommonOptions.Numbers("--std", parse.GetValue(std)), parse.GetValue(transformName), ParseLayout(parse.GetValue(layout)!), parse.GetValue(grayscale));
            var kind = PredictionInputLoader.Detect(inputPath);
            if (kind is PredictionInputKind.Npy or PredictionInputKind.Idx && request.Size is not null)
                throw new ArgumentException($"--size resizes images; {inputPath} is {(kind == PredictionInputKind.Npy ? "a .npy array" : "an IDX file")}, used at its own size.");
            string[]? names = labelsPath is null ? null : ReadLabels(labelsPath);

            var model = PredictModel.Load(modelPath);
            var transform = request.Transform(model);
            var inputs = PredictionInputLoader.Load(inputPath, model.InputShape, transform);
            var outputs = BatchPredictor.Run(model.Network, inputs.Examples, batch, ct);
            int classes = outputs.Dim(1);
            if (names is not null && names.Length != classes)
                throw new InvalidDataException($"{labelsPath}: {names.Length} labels (one per line), but the model has {classes} classes.");
            var probabilities = ClassScores.Probabilities(outputs, out bool already);
            var predictions = new Prediction[inputs.Count];
            for (int i = 0; i < predictions.Length; i++)
            {
                var top = ClassScores.Top(probabilities.Span.Slice(i * classes, classes), Math.Min(k, classes));
                predictions[i] = new Prediction(inputs.Sources[i], top);
            }

            Render(model.Name, inputs, predictions, names, already);
            if (outPath is not null) NpyWriter.Write(outPath, outputs.Data, outputs.Shape);
            JsonReport.Write(jsonPath, new PredictReport(predictions.Select(p => new PredictionReport(
                p.Source.Index is int index ? new PredictionInput(null, index) : new PredictionInput(p.Source.File, null),
                p.Top[0].Class, p.Top[0].Score, p.Top.Select(t => new ClassScore(t.Class, t.Score)).ToArray())).ToArray()));
            return 0;
        }, threads);
    }

    private sealed record Prediction(ExampleSource Source, (int Class, float Score)[] Top);

    // The pixel options as given; Transform completes them with the model's defaults.
    private sealed record PixelRequest(
        (int H, int W)? Size, ImageResize Resize, double[]? Mean, double[]? Std, string? Preset, TensorLayout Layout, bool Grayscale)
    {
        public ImageTransform Transform(PredictModel model)
        {
            if (Preset is not null && (Mean is not null || Std is not null))
                throw new ArgumentException("--input-transform and --mean/--std are alternatives; give one of them.");
            var normalisation = Mean is not null || Std is not null
                ? new ImageTransform { Mean = Mean ?? [0.0], Std = Std ?? [1.0] }
                : Preset is null ? model.Transform : ImageTransform.Preset(Preset);
            int[]? shape = model.InputShape is { Length: 3 } s ? s : null;
            int channels = shape is null ? -1 : Layout == TensorLayout.Nchw ? shape[0] : shape[2];
            var (h, w) = Layout == TensorLayout.Nchw ? (1, 2) : (0, 1);
            (int H, int W)? size = Size ?? (shape is not null && shape[h] > 0 && shape[w] > 0 ? (shape[h], shape[w]) : null);
            var transform = normalisation with
            {
                Height = size?.H,
                Width = size?.W,
                Resize = Resize,
                Grayscale = Grayscale || channels == 1,
                Layout = Layout,
            };
            if (transform.Grayscale && Mean is null && Std is null && (transform.Mean.Count > 1 || transform.Std.Count > 1))
                throw new ArgumentException($"The input transform {(Preset is null ? "of the model file" : $"'{Preset}'")} normalises three colour channels, but the images are read as one grayscale channel " +
                    $"({(Grayscale ? "--grayscale" : "the model takes one channel")}); give --input-transform or --mean/--std.");
            transform.Validate();
            return transform;
        }
    }

    private static void Render(string modelName, PredictionInputs inputs, Prediction[] predictions, string[]? names, bool already)
    {
        CliOutput.Table(null, ["#", "input", "class", "score", "top-k"], predictions.Take(DisplayedRows).Select((p, i) =>
        {
            string source = Path.GetFileName(p.Source.File) + (p.Source.Index is int index ? $"[{index}]" : "");
            string top = string.Join(" ", p.Top.Select(t => $"{Name(t.Class, names).Replace(' ', '_')}:{Score(t.Score)}"));
            return new[] { $"{i + 1}", Markup.Escape(source), $"[bold]{Markup.Escape(Name(p.Top[0].Class, names))}[/]", Score(p.Top[0].Score), Markup.Escape(top) };
        }), predictions.Length > DisplayedRows ? $"… and {predictions.Length - DisplayedRows:N0} more (all of them in --json)" : null);
        AnsiConsole.MarkupLine($"[grey]{inputs.Count:N0} input(s) of {Markup.Escape(Tensors.Tensor.ShapeString(inputs.ExampleShape))} through {Markup.Escape(modelName)}; scores: " +
            (already ? "the model's outputs, already probabilities" : "softmax of the model's outputs") + "[/]");
    }

    private static string Name(int k, string[]? names) => names is null ? k.ToString(CultureInfo.InvariantCulture) : $"{names[k]}({k})";

    private static string Score(float p) => p.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>One class name per line; trailing empty lines are ignored.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file names no class.</exception>
    public static string[] ReadLabels(string path)
    {
        var lines = File.ReadAllLines(path).ToList();
        while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new InvalidDataException($"{path}: the labels file is empty; expected one class name per line.");
        return lines.Select(l => l.Trim()).ToArray();
    }

    /// <summary><c>H,W</c>, <c>HxW</c> or <c>S</c> (square); null when not given.</summary>
    /// <exception cref="ArgumentException">Not one or two positive integers.</exception>
    public static (int H, int W)? ParseSize(string? text)
    {
        if (text is null) return null;
        var parts = text.Split([',', 'x', 'X'], StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        if (parts.Length is not (1 or 2) || parts.Select((p, i) => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) && values[i] > 0).Any(ok => !ok))
            throw new ArgumentException($"--size must be H,W or S (positive integers); got '{text}'.");
        return parts.Length == 1 ? (values[0], values[0]) : (values[0], values[1]);
    }

    private static TensorLayout ParseLayout(string text) =>
        CommonOptions.Choice("--layout", text, ("nchw", TensorLayout.Nchw), ("nhwc", TensorLayout.Nhwc));

    private static ImageResize ParseResize(string text) =>
        CommonOptions.Choice("--resize", text, ("stretch", ImageResize.Stretch), ("center-crop", ImageResize.CenterCrop), ("centre-crop", ImageResize.CenterCrop));
}
