// CommonOptions: options shared by several commands, and small helpers to build and check them — the command body
// under CliApp.Guard (Runs), range and choice checks whose messages name the flag, and the model-source group: a
// model file's complete input shape and its test (or training) set in its own pixel scaling.
using System.CommandLine;
using System.Globalization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>Options shared across commands.</summary>
public static class CommonOptions
{
    /// <summary><c>--json PATH</c>: write the command's result as JSON.</summary>
    public static Option<string?> Json() => new("--json") { Description = "Write the result as JSON to this file (atomically)." };

    /// <summary><c>--model-file PATH</c> (required): the model a command reads, described by <paramref name="description"/>.</summary>
    public static Option<string> ModelFileFlag(string description) => new("--model-file") { Description = description, Required = true };

    /// <summary><c>--dataset NAME</c>: the dataset a model file is measured on (default: the one it names, see <see cref="DatasetOf"/>).</summary>
    public static Option<string?> Dataset() => new("--dataset") { Description = "Dataset (default: the one the model was trained on)." };

    /// <summary><c>--threads N</c>: limit the number of cores kernels use.</summary>
    public static Option<int?> Threads() => new("--threads") { Description = "Maximum number of threads the kernels use (default: all cores)." };

    /// <summary>
    /// <c>--distributed</c>: run as one rank of an MPI job (data-parallel training, rank 0 writes). Recursive: every
    /// command accepts it. Implied when an MPI launcher started this process as one of several ranks.
    /// </summary>
    public static Option<bool> Distributed() => new("--distributed")
    {
        Description = "Run as one rank of an MPI job (mpirun -np N topiary ... --distributed): gradients summed across ranks, rank 0 writes. " +
            "Implied under mpirun/srun with more than one rank.",
        Recursive = true,
    };

    /// <summary>
    /// <c>--micro-batches K</c>: gradient accumulation — every batch (each rank's share) in K parts whose gradients are
    /// added in order. One process with <c>--micro-batches 2</c> trains bit-for-bit like two ranks. Recursive.
    /// </summary>
    public static Option<int?> MicroBatches() => new("--micro-batches")
    {
        Description = "Cut every batch into K parts and add their gradients (gradient accumulation); 1 process with K = 2 takes " +
            "bit-for-bit the steps of 2 ranks.",
        Recursive = true,
    };

    /// <summary>Applies <c>--micro-batches</c> until the returned scope is disposed (null when not given).</summary>
    /// <exception cref="ArgumentException">K below 1.</exception>
    public static IDisposable? ApplyMicroBatches(int? count)
    {
        return count is null ? null : Topiary.Distributed.DataParallel.UseMicroBatches(AtLeast(count.Value, 1, "--micro-batches"));
    }

    /// <summary>Applies <c>--threads</c>.</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is not null) Tensors.Threading.MaxDegreeOfParallelism = AtLeast(threads.Value, 1, "--threads");
    }

    /// <summary>
    /// Sets <paramref name="command"/>'s action: <paramref name="body"/> (returning the exit code) under
    /// <see cref="CliApp.Guard"/>, after applying <paramref name="threads"/> when the command has that option. Returns the command.
    /// </summary>
    public static Command Runs(this Command command, Func<ParseResult, CancellationToken, int> body, Option<int?>? threads = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(body);
        command.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            if (threads is not null) ApplyThreads(parse.GetValue(threads));
            return Task.FromResult(body(parse, ct));
        }, ct));
        return command;
    }

    /// <summary>
    /// Adds <c>--json</c> (and <c>--threads</c> unless <paramref name="threads"/> is false) to <paramref name="command"/> and sets
    /// its action (<see cref="Runs"/>): <paramref name="body"/>, given the --json path for its output checks, returns the report
    /// that is then written to --json; the exit code is 0. Returns the command.
    /// </summary>
    public static Command Reports<TReport>(this Command command, Func<ParseResult, string?, CancellationToken, TReport> body, bool threads = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(body);
        var json = Json();
        var limit = threads ? Threads() : null;
        command.Options.Add(json);
        if (limit is not null) command.Options.Add(limit);
        return command.Runs((parse, ct) =>
        {
            string? path = parse.GetValue(json);
            JsonReport.Write(path, body(parse, path, ct));
            return 0;
        }, limit);
    }

    /// <summary><paramref name="value"/>, checked to be at least <paramref name="min"/>.</summary>
    /// <exception cref="ArgumentException">Below <paramref name="min"/>; the message names <paramref name="flag"/>.</exception>
    public static int AtLeast(int value, int min, string flag) =>
        value >= min ? value : throw new ArgumentException($"{flag} must be at least {min}; got {value}.");

    /// <summary>The value of the choice named <paramref name="text"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such choice; the message names <paramref name="flag"/> and the choices.</exception>
    public static T Choice<T>(string flag, string text, params (string Name, T Value)[] choices)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(choices);
        foreach (var (name, value) in choices)
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return value;
        string names = string.Join(", ", choices[..^1].Select(c => c.Name)) + " or " + choices[^1].Name;
        throw new ArgumentException($"{flag} must be {names}; got '{text}'.");
    }

    /// <summary>The comma-separated numbers of <paramref name="text"/>; null when not given.</summary>
    /// <exception cref="ArgumentException">A value is not a finite number; the message names <paramref name="flag"/> and the value.</exception>
    public static double[]? Numbers(string flag, string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new ArgumentException($"{flag} must be comma-separated numbers; '{parts[i]}' is not a finite number.");
        return values;
    }

    /// <summary>The per-example input shape of a model file, every dimension known.</summary>
    /// <exception cref="InvalidDataException">The shape is not recorded (no metadata, not a zoo model) or has unknown dimensions.</exception>
    public static int[] InputShape(LoadedModel loaded, string path)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return ModelInputShape.Of(loaded.Name, loaded.Metadata, loaded.Network, path) is { } known && ModelInputShape.IsComplete(known)
            ? known
            : throw new InvalidDataException($"{path}: the model's input shape is not known (no '{ModelFile.InputShapeKey}' metadata, not a zoo model); re-import it with --input-shape.");
    }

    /// <summary>
    /// The <paramref name="split"/> of <paramref name="dataset"/> (default: the one the model file names, else MNIST), in
    /// the model's pixel scaling (its input transform).
    /// </summary>
    public static ImageDataset Data(LoadedModel loaded, string? dataset, CancellationToken ct, DatasetSplit split = DatasetSplit.Test) =>
        TrainingRun.LoadDataset(DatasetOf(loaded, dataset), split, progress: CliOutput.Messages(), cancellationToken: ct,
            transform: ModelFile.InputTransform(loaded.Metadata));

    /// <summary><paramref name="dataset"/> when given, else the dataset the model file names, else MNIST.</summary>
    public static string DatasetOf(LoadedModel loaded, string? dataset)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return dataset ?? loaded.Metadata.GetValueOrDefault("dataset") ?? "mnist";
    }
}
