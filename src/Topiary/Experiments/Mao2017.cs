// Mao2017: Mao et al. 2017's granularity study on a zoo model —
//   1. train (or resume) the dense reference;
//   2. per granularity (fine, vector, kernel, filter) a sweep over decreasing densities: every prunable layer is
//      pruned to the density counted in WEIGHTS (WeightDensityTarget, L1 group saliency by default), then
//      retrained a few epochs; the next density continues from this model. Conv layers use the granularity
//      itself; FC layers the matching one (fine → element, vector → row segments of FcSegment, kernel/filter →
//      whole rows). Two guards keep the comparison about the granularity rather than about collapse: the first
//      layer never goes below FirstLayerMinDensity, and the classifier (last layer) never loses whole rows
//      (kernel/filter prune it as row segments) — stated in the report's assumptions;
//   3. per point: test error before/after retraining; the model is written as a .tpz container with one
//      GroupSparseLayer section per prunable layer (CompressedModel.EncodeGrouped, saved in the work directory as
//      <granularity>-<density>.tpz), and the storage ratio is the bytes of those sections / the dense float32
//      weights — the bits the container really writes (each section = GroupStorageModel's bits + a ~25-byte
//      frame). The container is decoded again and evaluated (its error differs from the float model's only by the
//      value quantisation);
//   4. tables: equal density (error per granularity) and equal accuracy (lowest density within Tolerance of the
//      dense error, with its storage ratio).
// Filter granularity prunes whole filters by mask; then a copy of the model has them removed physically
// (DeadNeuronRemover: a filter with no inputs outputs its constant bias, folded into the next layer's bias) and
// is evaluated, so the point reports the physically smaller dense network too.
// Every point is checkpointed (sweep-<granularity>.ckpt with the finished points in its metadata); Resume
// continues each sweep after its last finished point.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Topiary.Compression.Container;
using Topiary.Compression.Grouped;
using Topiary.Data;
using Topiary.Hardware.MemoryReferences;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Structure;
using Topiary.Settings;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>Options of the Mao et al. 2017 granularity study.</summary>
public sealed record Mao2017Options : ExperimentOptions
{
    /// <summary>Zoo model (any; default lenet-5).</summary>
    public override string Model { get; init; } = "lenet-5";

    /// <summary>Dataset (<c>mnist</c> or <c>fashion-mnist</c>).</summary>
    [Setting("dataset", "Dataset.", ChoicesFrom = nameof(Datasets))]
    public string Dataset { get; init; } = "mnist";

    /// <summary>Granularities to sweep (subset of <see cref="Mao2017.GranularityNames"/>).</summary>
    [Setting("granularities", "Comma-separated granularities to sweep.", ChoicesFrom = nameof(GranularityNames))]
    public NameList Granularities { get; init; } = new(GranularityNames);

    /// <summary>Per-layer densities, visited in decreasing order.</summary>
    [Setting("densities", "Comma-separated per-layer densities.", Min = 0, Max = 1, MinExclusive = true)]
    public IReadOnlyList<double> Densities { get; init; } = [0.5, 0.3, 0.2, 0.1, 0.07, 0.05];

    /// <summary>Retraining epochs after each density.</summary>
    [Setting("epochs_per_density", "Retraining epochs after each density.", Min = 0)]
    public int EpochsPerDensity { get; init; } = 1;

    /// <summary>Retraining learning rate as a fraction of the recipe's base rate (cosine-annealed within a point).</summary>
    [Setting("lr_scale", "Retraining learning rate as a fraction of the recipe's.", Min = 0, MinExclusive = true)]
    public float LearningRateScale { get; init; } = 0.5f;

    /// <summary>Use only the first N test images (quick runs); the reference error in the report is then measured on the same subset.</summary>
    [Setting("test_limit", "Evaluate on the first N test images only (default: all).", Min = 1)]
    public int? TestLimit { get; init; }

    /// <summary>Group saliency.</summary>
    [Setting("criterion", "Group saliency.")]
    public PruningCriterion Criterion { get; init; } = PruningCriterion.L1;

    /// <summary>Inputs per FC row segment at vector granularity.</summary>
    [Setting("fc_segment", "Inputs per FC row segment at vector granularity.", Min = 1)]
    public int FcSegment { get; init; } = 4;

    /// <summary>Bits per stored value (32 = float32).</summary>
    [Setting("value_bits", "Bits per stored weight (32 = float32).")]
    public int ValueBits { get; init; } = 8;

    /// <summary>Bits per relative group index.</summary>
    [Setting("index_bits", "Bits per relative group index.")]
    public int IndexBits { get; init; } = 4;

    /// <summary>The first prunable layer keeps at least this density.</summary>
    [Setting("first_layer_min_density", "The first prunable layer keeps at least this density.", Min = 0, Max = 1)]
    public double FirstLayerMinDensity { get; init; } = 0.5;

    /// <summary>Density of the equal-density table (the nearest swept density is used).</summary>
    [Setting("equal_density", "Density of the equal-density table.", Min = 0, Max = 1, MinExclusive = true)]
    public double EqualDensity { get; init; } = 0.1;

    /// <summary>Equal-accuracy tolerance: error ≤ dense error + Tolerance (absolute fraction).</summary>
    [Setting("tolerance", "Equal-accuracy tolerance on the error (absolute, e.g. 0.005 = 0.5 points).", Min = 0)]
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Also compute the VGG-16 memory-reference table (Mao2017MemRefTable) with these options; null = skip it.
    /// Default <see cref="MemRefStudyOptions.Mao2017"/> (shape-only, about a minute).</summary>
    public MemRefStudyOptions? MemoryReferences { get; init; } = MemRefStudyOptions.Mao2017;

    /// <summary>The datasets the study runs on.</summary>
    public static IReadOnlyList<string> Datasets => TrainingRun.DatasetNames;

    /// <summary>The granularities, finest first.</summary>
    public static IReadOnlyList<string> GranularityNames { get; } = ["fine", "vector", "kernel", "filter"];

    /// <summary>The smoke run: densities 0.3 and 0.1, 1 reference and 1 retraining epoch on 10k images, a sampled memory-reference table.</summary>
    public override Mao2017Options Quick() => this with
    {
        Densities = [0.3, 0.1], EpochsPerDensity = 1, ReferenceEpochs = 1, TrainLimit = 10_000, EqualDensity = 0.1,
        MemoryReferences = MemRefStudyOptions.Mao2017 with { FilterStride = 8 },
    };
}

/// <summary>Runs Mao et al. 2017's granularity study.</summary>
public static class Mao2017
{
    /// <summary>The granularities, finest first.</summary>
    public static IReadOnlyList<string> GranularityNames => Mao2017Options.GranularityNames;

    /// <summary>
    /// The grouping of granularity <paramref name="name"/>: fine → element; vector → W[m,c,r,:] (FC: row segments of
    /// <paramref name="fcSegment"/>); kernel → W[m,c,:,:] (FC: rows); filter → W[m,:,:,:] (FC: rows).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static IGranularity Granularity(string name, int fcSegment = 4) => name switch
    {
        "fine" => ElementGranularity.Instance,
        "vector" => TrailingGranularity.Vector(fcSegment),
        "kernel" => TrailingGranularity.Kernel,
        "filter" => RowGranularity.Instance,
        _ => throw new ArgumentException($"Unknown granularity '{name}'. Known: {string.Join(", ", GranularityNames)}.", nameof(name)),
    };

    /// <summary>Runs the study.</summary>
    /// <exception cref="ArgumentException">Unknown model, dataset or granularity; densities outside (0, 1]; invalid bit widths.</exception>
    /// <exception cref="InvalidDataException">A checkpoint to resume from belongs to different options.</exception>
    public static Mao2017Report Run(Mao2017Options options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var info = ModelZoo.Get(options.Model);
        var coding = new GroupCodingOptions(options.ValueBits, options.IndexBits);
        var densities = options.Densities.OrderByDescending(d => d).ToArray();
        var total = Stopwatch.StartNew();
        var reference = ExperimentStages.Reference(options, options.Dataset, progress, messages, cancellationToken);
        string referenceWeights = Path.Combine(options.WorkDirectory, "reference-weights.ckpt");
        Checkpoint.Save(referenceWeights, reference.Network);
        var (train, test) = ExperimentStages.Data(options, options.Dataset, messages, cancellationToken);
        if (options.TestLimit is int testLimit) test = TrainingRun.Take(test, testLimit);

        var sweep = Stopwatch.StartNew();
        var points = new List<Mao2017Point>();
        foreach (string granularity in options.Granularities)
        {
            var model = info.Factory(options.Seed);
            Checkpoint.LoadInto(model, referenceWeights);
            string ckpt = Path.Combine(options.WorkDirectory, $"sweep-{granularity}.ckpt");
            var identity = Identity(options, granularity, densities);
            var done = options.Resume && File.Exists(ckpt) ? ResumeCheckpoint.Restore<List<Mao2017Point>>(ckpt, model, identity) : [];
            points.AddRange(done);
            var layers = PrunableLayer.Find(model);
            for (int i = done.Count; i < densities.Length; i++)
            {
                messages?.Report($"{granularity}: density {densities[i].ToString("0.###", CultureInfo.InvariantCulture)}");
                var point = RunPoint(model, layers, info.Recipe, train, test, options, coding, granularity, densities[i], i, progress, cancellationToken);
                done.Add(point);
                points.Add(point);
                ResumeCheckpoint.Save(ckpt, model, identity, done);
            }
        }

        double refError = options.TestLimit is null ? reference.TestError : TrainingRun.Evaluate(reference.Network, test, cancellationToken).Error;
        var gran = options.Granularities;
        double equal = densities.OrderBy(d => Math.Abs(d - options.EqualDensity)).First();
        static Mao2017Row Row(string g, Mao2017Point? p) => new(g, p?.Density, p?.TestError, p?.StorageRatio);
        var equalDensity = gran.Select(g => Row(g, points.FirstOrDefault(p => p.Granularity == g && p.TargetDensity == equal))).ToArray();
        var equalAccuracy = gran.Select(g => Row(g, points.Where(p => p.Granularity == g && p.TestError <= refError + options.Tolerance)
            .OrderBy(p => p.Density).FirstOrDefault())).ToArray();
        var memoryReferences = options.MemoryReferences is { } memrefs ? Mao2017MemRefTable.Reproduce(memrefs, null, cancellationToken) : null;
        return new Mao2017Report(info.Name, options.Dataset, options.Seed, refError, options.ValueBits, options.IndexBits, options.FcSegment,
            options.EpochsPerDensity, equal, options.Tolerance, points, equalDensity, equalAccuracy, Assumptions(options),
            reference.Seconds, sweep.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds, memoryReferences);
    }

    /// <summary>The granularity layer <paramref name="index"/> of <paramref name="count"/> is pruned at, and its density.</summary>
    public static (IGranularity Granularity, double Density) LayerPlan(string granularity, int index, int count, double density, Mao2017Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool classifier = index == count - 1 && count > 1;
        var g = classifier && granularity is "kernel" or "filter" ? Granularity("vector", options.FcSegment) : Granularity(granularity, options.FcSegment);
        double d = index == 0 && count > 1 ? Math.Max(density, options.FirstLayerMinDensity) : density;
        return (g, d);
    }

    private static Mao2017Point RunPoint(Module model, IReadOnlyList<PrunableLayer> layers, TrainingRecipe recipe, ImageDataset train,
        ImageDataset test, Mao2017Options options, GroupCodingOptions coding, string granularity, double density, int index,
        IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var plan = layers.Select((l, i) => LayerPlan(granularity, i, layers.Count, density, options)).ToArray();
        for (int i = 0; i < layers.Count; i++)
            new MagnitudePruner(plan[i].Granularity, options.Criterion).Apply(layers[i], new WeightDensityTarget(plan[i].Density));
        double before = TrainingRun.Evaluate(model, test, ct).Error;
        TrainingRun.Retrain(model, recipe with { LearningRate = recipe.LearningRate * options.LearningRateScale, Policy = LrPolicy.Cosine },
            train, options.EpochsPerDensity, options.Seed + 1000 * (index + 1), progress, ct);
        double after = TrainingRun.Evaluate(model, test, ct).Error;
        long weights = layers.Sum(l => (long)l.Weight.Length), kept = layers.Sum(l => (long)l.KeptWeights);
        var storage = layers.Select((l, i) => GroupStorageModel.ForLayer(l, plan[i].Granularity, coding)).ToArray();
        var granularities = layers.Select((l, i) => KeyValuePair.Create(l.Weight, plan[i].Granularity)).ToDictionary();
        var container = CompressedModel.EncodeGrouped(options.Model, model, granularities, coding,
            new Dictionary<string, string> { ["mao.granularity"] = granularity, ["mao.density"] = density.ToString("R", CultureInfo.InvariantCulture) });
        string file = Path.Combine(options.WorkDirectory, string.Create(CultureInfo.InvariantCulture, $"{granularity}-{density:0.###}.tpz"));
        Topiary.IO.AtomicFile.WriteAllBytes(file, container.Bytes);
        var decoded = CompressedModel.Decode(TpzContainer.Parse(container.Bytes, file), file).Network;
        double containerError = TrainingRun.Evaluate(decoded, test, ct).Error;
        var physical = granularity == "filter" ? Physical(model, test, ct) : null;
        return new Mao2017Point(granularity, density, (double)kept / weights, before, after, container.WeightPayloadBytes * 8, weights * 32L, storage,
            sw.Elapsed.TotalSeconds)
        {
            StreamBits = container.Layers.Sum(l => l.Layer.BitLength),
            ContainerFile = Path.GetFileName(file),
            ContainerBytes = container.Bytes.Length,
            ContainerTestError = containerError,
            Physical = physical,
        };
    }

    // Filter pruning made physical: a copy of the model with its all-zero filters (and FC rows) removed.
    private static Mao2017Physical? Physical(Module model, ImageDataset test, CancellationToken ct)
    {
        if (ModelSnapshot.Clone(model) is not Sequential copy) return null;
        var report = DeadNeuronRemover.Remove(copy);
        var units = report.Layers.Select(l => new Mao2017Units(l.Name, l.UnitsBefore, l.UnitsAfter)).ToArray();
        return new Mao2017Physical(units, report.ParametersBefore, report.ParametersAfter, TrainingRun.Evaluate(copy, test, ct).Error);
    }

    private static IReadOnlyList<string> Assumptions(Mao2017Options o)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            "density is counted in weights per layer (WeightDensityTarget: within one group of the target)",
            $"group saliency: {o.Criterion} norm; sweep continues from the previous density's model, {o.EpochsPerDensity} retraining epoch(s) per density at {o.LearningRateScale.ToString(inv)}x the recipe's rate, cosine",
            $"first layer density >= {o.FirstLayerMinDensity.ToString(inv)}; the classifier is pruned as row segments at kernel/filter granularity",
            $"FC granularity: fine = element, vector = row segments of {o.FcSegment}, kernel/filter = rows",
            $"storage: per kept group {o.IndexBits} index bits + g x {o.ValueBits} value bits, fillers alike, 32 (+64 when quantised) header bits per layer; ratio vs dense float32",
            $"storage: bytes of the .tpz container's GroupSparseLayer sections (the encoder's stream + a {GroupSparseLayerCodec.HeaderBytes(4)}-byte frame per conv layer)",
            "filter granularity zeroes whole filters by mask; a copy with them physically removed (bias constants folded) is evaluated too",
        ];
    }

    // The options that decide the result: a checkpoint is only continued under the same ones.
    private static object Identity(Mao2017Options o, string granularity, double[] densities) => new
    {
        o.Model, o.Dataset, o.Seed, Granularity = granularity, Densities = densities, Epochs = o.EpochsPerDensity, o.LearningRateScale,
        o.TrainLimit, o.TestLimit, o.ReferenceEpochs, Criterion = o.Criterion.ToString(), o.FcSegment, Bits = $"{o.ValueBits}/{o.IndexBits}",
        Storage = "tpz-sections", o.FirstLayerMinDensity,
    };
}
