// EnergyAwarePruning: Yang, Chen, Sze (CVPR 2017) on a trained model.
//  1. Estimate every weight layer's energy (ModelEnergy: Eyeriss row-stationary model, measured activation
//     densities, 16-bit) and order the layers by it, highest first. The first pass's order is fixed at the start.
//  2. Per layer, in that order, raise sparsity in steps. A step targets density d' = d·(1 − f) (f = fraction
//     of the remaining weights removed, InitialStep at first): from the last accepted state, keep the
//     (1 − RestoreFraction)·t largest-magnitude kept weights (t = d'·n), greedily restore up to
//     RestoreFraction·t pruned weights by output-error reduction (GreedyRestoration), refit every filter's
//     kept weights by least squares (LeastSquaresRefit) on a FeatureMapSample (current inputs, original
//     outputs), then measure the validation accuracy. The step is accepted while the accuracy drop from the
//     ORIGINAL model's validation accuracy is at most Tolerance (PerLayerTolerance: from the accuracy the layer
//     started at, so drops add up over layers); a rejected step is undone and f is halved, and the layer ends
//     when f falls below MinStep (or d' below MinDensity; a step that would keep as many weights as now also halves f,
//     so a layer pruned to one weight ends instead of retrying forever). With the drop measured from the original, the layers
//     pruned first (highest energy) get the accuracy budget first.
//     Unit steps (UnitSteps, an option of ours beyond the paper, on by default): before its weight steps, every layer
//     but the classifier first loses whole units (FC neurons / conv filters: their rows masked to zero), the
//     lowest-L2-norm live units first, in halving steps (UnitInitialStep of the live units) under the same tolerance.
//     A unit without weights is dead: the deployed network (ModelEnergy.EstimateDeployed, DeadNeuronRemover) neither
//     computes nor moves its feature map, which is where most of the energy of small layers goes (feature-map DRAM
//     traffic). Greedy restoration never grows weights back into a dead unit.
//  3. Fine-tune globally by back-propagation with the masks fixed (FineTuneEpochs; cosine from
//     LearningRateScale × the recipe's rate).
//  Passes > 1 repeats 2-3 (re-ranking the layers by the pruned network's estimate at the start of each pass),
//  so each layer can go further once the others have been fine-tuned around it (an option of ours). The refits
//  of a later pass match the outputs of the network as it stood at the start of that pass (after the previous
//  fine-tune), not the dense original: the layers after them have adapted to the fine-tuned outputs.
// A checkpoint (model + masks + completed-layer history) is written after each layer and after the
// fine-tune; Resume continues after the last completed stage. Messages go to IProgress<string>, training
// batches to IProgress<TrainingProgress>.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Topiary.Data;
using Topiary.Hardware.Energy;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Pruning.EnergyAware;

/// <summary>Options of energy-aware pruning.</summary>
public sealed record EnergyAwareOptions
{
    /// <summary>Training recipe of the model (batch size, optimizer, base learning rate) for the fine-tune.</summary>
    public required TrainingRecipe Recipe { get; init; }

    /// <summary>Largest validation-accuracy drop (fraction, 0.005 = 0.5 points) from the original model a step may leave (before fine-tuning).</summary>
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Measure the drop from the accuracy each layer started at instead of the original's (drops then add up over layers).</summary>
    public bool PerLayerTolerance { get; init; }

    /// <summary>Fraction of the remaining weights the first step of a layer removes.</summary>
    public double InitialStep { get; init; } = 0.5;

    /// <summary>The layer ends when the halved step fraction falls below this.</summary>
    public double MinStep { get; init; } = 0.1;

    /// <summary>Lowest density a step may target.</summary>
    public double MinDensity { get; init; } = 0.005;

    /// <summary>Fraction of a step's kept weights chosen by greedy restoration instead of magnitude.</summary>
    public double RestoreFraction { get; init; } = 0.2;

    /// <summary>Remove whole units (rows) of each layer but the classifier before its weight steps (see the file header).</summary>
    public bool UnitSteps { get; init; } = true;

    /// <summary>Fraction of a layer's live units the first unit step removes.</summary>
    public double UnitInitialStep { get; init; } = 0.5;

    /// <summary>Feature-map sampling.</summary>
    public SamplerOptions Sampler { get; init; } = new();

    /// <summary>Least-squares refit options.</summary>
    public RefitOptions Refit { get; init; } = new();

    /// <summary>Layers to prune (default: all weight layers).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Images for the activation densities of the energy estimate.</summary>
    public int DensityImages { get; init; } = 500;

    /// <summary>Layer energy model (default Eyeriss).</summary>
    public ILayerEnergyModel? EnergyModel { get; init; }

    /// <summary>Data bit width of the energy estimate.</summary>
    public int Bits { get; init; } = 16;

    /// <summary>Passes of (all layers in energy order, then fine-tune); later passes re-rank by the current energy and go deeper.</summary>
    public int Passes { get; init; } = 1;

    /// <summary>Global fine-tuning epochs with fixed masks after each pass (0 = none).</summary>
    public int FineTuneEpochs { get; init; } = 2;

    /// <summary>Fine-tuning learning rate = recipe rate × this (cosine to zero).</summary>
    public float LearningRateScale { get; init; } = 0.1f;

    /// <summary>Seed of the fine-tune's data order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checkpoint written after each layer and after the fine-tune (null = none).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>Throws on out-of-range values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range (named).</exception>
    public void Validate()
    {
        if (!(Tolerance >= 0 && Tolerance <= 1)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be in [0, 1].");
        if (!(InitialStep > 0 && InitialStep < 1)) throw new ArgumentOutOfRangeException(nameof(InitialStep), InitialStep, "InitialStep must be in (0, 1).");
        if (!(MinStep > 0 && MinStep <= InitialStep)) throw new ArgumentOutOfRangeException(nameof(MinStep), MinStep, "MinStep must be in (0, InitialStep].");
        if (!(MinDensity > 0 && MinDensity < 1)) throw new ArgumentOutOfRangeException(nameof(MinDensity), MinDensity, "MinDensity must be in (0, 1).");
        if (!(UnitInitialStep > 0 && UnitInitialStep < 1)) throw new ArgumentOutOfRangeException(nameof(UnitInitialStep), UnitInitialStep, "UnitInitialStep must be in (0, 1).");
        if (!(RestoreFraction >= 0 && RestoreFraction < 1)) throw new ArgumentOutOfRangeException(nameof(RestoreFraction), RestoreFraction, "RestoreFraction must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(FineTuneEpochs, nameof(FineTuneEpochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Passes, 1, nameof(Passes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DensityImages, 1, nameof(DensityImages));
        Sampler.Validate();
    }
}

/// <summary>One sparsity step of one layer.</summary>
/// <param name="Density">Density the step targeted.</param>
/// <param name="Kept">Weights kept after restoration.</param>
/// <param name="Restored">Weights restored by the greedy step.</param>
/// <param name="ErrorMagnitude">Sampled output error after magnitude removal.</param>
/// <param name="ErrorRestored">After greedy restoration.</param>
/// <param name="ErrorRefit">After the least-squares refit.</param>
/// <param name="FiltersRefit">Filters the refit changed.</param>
/// <param name="ValidationAccuracy">Network accuracy on the validation set after the step.</param>
/// <param name="Accepted">Whether the step stayed (drop within tolerance).</param>
public sealed record EnergyAwareStep(double Density, int Kept, int Restored, double ErrorMagnitude, double ErrorRestored, double ErrorRefit,
    int FiltersRefit, double ValidationAccuracy, bool Accepted);

/// <summary>One unit step of one layer: the lowest-norm live units removed whole.</summary>
/// <param name="UnitsBefore">Live units (rows with a kept weight) before the step.</param>
/// <param name="UnitsAfter">Live units the step left.</param>
/// <param name="ValidationAccuracy">Network accuracy on the validation set after the step.</param>
/// <param name="Accepted">Whether the step stayed (drop within tolerance).</param>
public sealed record EnergyAwareUnitStep(int UnitsBefore, int UnitsAfter, double ValidationAccuracy, bool Accepted);

/// <summary>Result of one layer.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Pass">1-based pass.</param>
/// <param name="Rank">1-based position in the pass's energy order.</param>
/// <param name="EstimatedEnergy">The layer's estimated energy in the original model.</param>
/// <param name="DensityBefore">Weight density before the layer was pruned.</param>
/// <param name="DensityAfter">After.</param>
/// <param name="AccuracyBefore">Validation accuracy before.</param>
/// <param name="AccuracyAfter">After.</param>
/// <param name="Steps">Every step tried.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="UnitSteps">Unit steps tried before the weight steps (empty for the classifier or with UnitSteps off).</param>
public sealed record EnergyAwareLayer(string Name, int Pass, int Rank, double EstimatedEnergy, double DensityBefore, double DensityAfter,
    double AccuracyBefore, double AccuracyAfter, IReadOnlyList<EnergyAwareStep> Steps, double Seconds, IReadOnlyList<EnergyAwareUnitStep>? UnitSteps = null);

/// <summary>Result of energy-aware pruning.</summary>
/// <param name="Order">Layer names in the first pass's pruning order (highest estimated energy first).</param>
/// <param name="OriginalEnergy">Estimate of the model as given (the ordering's basis).</param>
/// <param name="ReferenceAccuracy">Validation accuracy of the model as given.</param>
/// <param name="PrunedAccuracy">Validation accuracy after the last layer of the last pass, before its fine-tune.</param>
/// <param name="FinalAccuracy">Validation accuracy after fine-tuning.</param>
/// <param name="Layers">Per-layer results in pruning order, pass after pass.</param>
/// <param name="PruningSeconds">Wall time of the layer-wise stages (this run, excluding fine-tuning).</param>
/// <param name="FineTuneSeconds">Wall time of the fine-tunes (this run).</param>
public sealed record EnergyAwareResult(IReadOnlyList<string> Order, NetworkEnergy OriginalEnergy, double ReferenceAccuracy,
    double PrunedAccuracy, double FinalAccuracy, IReadOnlyList<EnergyAwareLayer> Layers, double PruningSeconds, double FineTuneSeconds);

/// <summary>Energy-aware pruning (Yang et al. 2017).</summary>
public static class EnergyAwarePruning
{

    /// <summary>Prunes <paramref name="model"/> (trained, dense or partly pruned) in place.</summary>
    /// <param name="model">The model; its state on entry is the reference whose outputs the refits match.</param>
    /// <param name="train">Training data (feature-map samples, fine-tuning).</param>
    /// <param name="validation">Held-out data for the per-step accuracy.</param>
    /// <param name="options">Options.</param>
    /// <param name="progress">Fine-tuning batches.</param>
    /// <param name="messages">One line per step and stage.</param>
    /// <param name="cancellationToken">Cancels between steps and batches.</param>
    /// <exception cref="ArgumentException">Unknown layer names or empty datasets.</exception>
    /// <exception cref="InvalidDataException">A checkpoint to resume from that is corrupt or from other options.</exception>
    public static EnergyAwareResult Run(Module model, ImageDataset train, ImageDataset validation, EnergyAwareOptions options,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0 || validation.Count == 0) throw new ArgumentException("Training and validation sets must not be empty.", nameof(train));
        var reference = ModelSnapshot.Clone(model);
        var prunable = PrunableLayer.Find(model);
        var selected = options.Layers ?? prunable.Select(l => l.Name).ToArray();
        foreach (var name in selected) PrunableLayer.ByName(prunable, name);

        var original = ModelEnergy.EstimateDeployed(model, train.Slice(0, Math.Min(options.DensityImages, train.Count)).AsTensor(),
            options.EnergyModel, options.Bits, "model");
        var order = ModelEnergy.EnergyOrder(original).Where(selected.Contains).ToArray();
        double refAcc = Accuracy(model, validation, cancellationToken);
        messages?.Report($"energy order: {string.Join(" > ", order)}; validation accuracy {refAcc:P2}");

        var identity = Identity(options, order);
        var done = new List<EnergyAwareLayer>();
        var orders = new List<string[]> { order };
        int fineTunedPasses = 0;
        if (options.Resume && options.CheckpointPath is { } path && File.Exists(path))
            fineTunedPasses = Restore(path, identity, model, done, orders);

        var total = Stopwatch.StartNew();
        double prunedAcc = refAcc, fineTuneSeconds = 0;
        for (int pass = 1; pass <= options.Passes; pass++)
        {
            if (orders.Count < pass)
            {
                // Later passes re-rank the layers by the energy of the network as it now stands.
                var now = ModelEnergy.EstimateDeployed(model, train.Slice(0, Math.Min(options.DensityImages, train.Count)).AsTensor(),
                    options.EnergyModel, options.Bits, "model");
                orders.Add(ModelEnergy.EnergyOrder(now).Where(selected.Contains).ToArray());
                messages?.Report($"pass {pass}: energy order {string.Join(" > ", orders[^1])}");
            }
            if (pass > 1) reference = PassReference(model, options.CheckpointPath, options.Resume, pass);
            var passOrder = orders[pass - 1];
            int passDone = done.Count(l => l.Pass == pass);
            for (int rank = passDone; rank < passOrder.Length; rank++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double energy = original.Layers.First(l => l.Layer.Name == passOrder[rank]).Energy.Total;
                var layer = PrunableLayer.ByName(prunable, passOrder[rank]);
                done.Add(PruneLayer(model, reference, layer, layer == prunable[^1], pass, rank + 1, energy, refAcc, train, validation,
                    options, messages, cancellationToken));
                if (options.CheckpointPath is { } ckpt) Save(ckpt, identity, model, done, orders, fineTunedPasses);
            }
            prunedAcc = done.LastOrDefault(l => l.Pass == pass)?.AccuracyAfter ?? prunedAcc;
            if (fineTunedPasses < pass && options.FineTuneEpochs > 0)
            {
                var ft = Stopwatch.StartNew();
                messages?.Report($"pass {pass}: fine-tuning {options.FineTuneEpochs} epoch(s) with fixed masks");
                FineTune(model, train, options, pass, progress, cancellationToken);
                fineTuneSeconds += ft.Elapsed.TotalSeconds;
            }
            fineTunedPasses = Math.Max(fineTunedPasses, pass);
            if (options.CheckpointPath is { } ck) Save(ck, identity, model, done, orders, fineTunedPasses);
        }
        double finalAcc = Accuracy(model, validation, cancellationToken);
        return new EnergyAwareResult(order, original, refAcc, prunedAcc, finalAcc, done, total.Elapsed.TotalSeconds - fineTuneSeconds, fineTuneSeconds);
    }

    /// <summary>
    /// One trial state from the accepted state (<paramref name="weights"/>, <paramref name="mask"/>; [M, K]):
    /// magnitude removal down to (1 − restoreFraction)·target kept weights, greedy restoration of up to
    /// restoreFraction·target, least-squares refit. Updates both spans in place.
    /// </summary>
    /// <returns>Restored count and the sampled output error after each stage.</returns>
    /// <exception cref="ArgumentException">Spans of the wrong length.</exception>
    /// <param name="system">The layer's sampled least-squares system.</param>
    /// <param name="weights">Weights [M, K] of the accepted state.</param>
    /// <param name="mask">Its mask.</param>
    /// <param name="target">Weights to keep.</param>
    /// <param name="restoreFraction">Share of <paramref name="target"/> chosen by greedy restoration.</param>
    /// <param name="refit">Refit options.</param>
    /// <param name="closedFilters">Filters that restoration must not grow back (dead units); null = none.</param>
    public static (int Restored, double ErrorMagnitude, double ErrorRestored, RefitResult Refit) Step(LayerSystem system, Span<float> weights,
        Span<float> mask, int target, double restoreFraction, RefitOptions refit, IReadOnlySet<int>? closedFilters = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        if (weights.Length != mask.Length) throw new ArgumentException("Weights and mask differ in length.", nameof(mask));
        int restore = (int)Math.Round(restoreFraction * target);
        KeepLargest(weights, mask, target - restore);
        double eMag = system.Error(weights);
        var restored = GreedyRestoration.Restore(system, weights, mask, restore, closedFilters);
        double eRes = system.Error(weights);
        var r = LeastSquaresRefit.Refit(system, weights, mask, refit);
        return (restored.Count, eMag, eRes, r);
    }

    /// <summary>Keeps the <paramref name="keep"/> largest |w| among the unmasked entries (ties: lower index); the rest get mask 0 and value 0.</summary>
    public static void KeepLargest(Span<float> weights, Span<float> mask, int keep)
    {
        var alive = new List<int>();
        for (int i = 0; i < weights.Length; i++) if (mask[i] != 0) alive.Add(i);
        if (keep >= alive.Count) return;
        var w = weights.ToArray();
        alive.Sort((a, b) =>
        {
            int c = Math.Abs(w[b]).CompareTo(Math.Abs(w[a]));
            return c != 0 ? c : a.CompareTo(b);
        });
        for (int i = Math.Max(0, keep); i < alive.Count; i++)
        {
            mask[alive[i]] = 0;
            weights[alive[i]] = 0;
        }
    }

    // The outputs a pass's refits match: the dense model in pass 1; in later passes the network as fine-tuned at the end
    // of the previous pass (its later layers have adapted to it). Saved beside the checkpoint so a resumed pass uses the same.
    private static Module PassReference(Module model, string? checkpointPath, bool resume, int pass)
    {
        var reference = ModelSnapshot.Clone(model);
        if (checkpointPath is null) return reference;
        string path = checkpointPath + $".pass{pass}-reference";
        if (resume && File.Exists(path)) Checkpoint.LoadInto(reference, Checkpoint.Load(path));
        else Checkpoint.Save(path, reference);
        return reference;
    }

    private static EnergyAwareLayer PruneLayer(Module model, Module reference, PrunableLayer layer, bool classifier, int pass, int rank, double energy,
        double originalAcc, ImageDataset train, ImageDataset validation, EnergyAwareOptions o, IProgress<string>? messages, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var param = layer.Weight;
        int n = param.Length;
        double densityBefore = (double)(param.Mask?.Data.Count(v => v != 0) ?? n) / n;
        double startAcc = Accuracy(model, validation, ct);
        var unitSteps = o.UnitSteps && !classifier
            ? RemoveUnits(model, layer, o.PerLayerTolerance ? startAcc : originalAcc, o, validation, messages, ct)
            : [];
        var sample = FeatureMapSampler.Sample(model, reference, layer.Name, train, o.Sampler with { Seed = o.Sampler.Seed + 100 * pass + rank }, ct);
        var system = LayerSystem.From(sample);
        var goodW = (float[])param.Value.Data.Clone();
        var goodMask = param.Mask is { } mk ? (float[])mk.Data.Clone() : Enumerable.Repeat(1f, n).ToArray();
        int goodKept = goodMask.Count(v => v != 0);
        var closed = DeadRows(goodMask, param.Value.Dim(0));
        double acc = unitSteps.LastOrDefault(u => u.Accepted)?.ValidationAccuracy ?? startAcc;
        var steps = new List<EnergyAwareStep>();
        double f = o.InitialStep;
        while (f >= o.MinStep)
        {
            ct.ThrowIfCancellationRequested();
            double density = (double)goodKept / n * (1 - f);
            if (density < o.MinDensity) { f /= 2; continue; }
            int target = Math.Max(1, (int)Math.Round(density * n));
            if (target >= goodKept) { f /= 2; continue; } // the step would remove nothing (tiny layers near one weight): never tried
            var w = (float[])goodW.Clone();
            var mask = (float[])goodMask.Clone();
            var (restored, eMag, eRes, refit) = Step(system, w, mask, target, o.RestoreFraction, o.Refit, closed);
            Install(param, w, mask);
            double a = Accuracy(model, validation, ct);
            bool ok = (o.PerLayerTolerance ? startAcc : originalAcc) - a <= o.Tolerance;
            int kept = mask.Count(v => v != 0);
            steps.Add(new EnergyAwareStep(density, kept, restored, eMag, eRes, refit.ErrorAfter, refit.Refit, a, ok));
            messages?.Report(string.Create(CultureInfo.InvariantCulture,
                $"{layer.Name}: density {(double)kept / n:P1}, output error {eMag:G3} → {eRes:G3} (restored {restored}) → {refit.ErrorAfter:G3} (refit), validation {a:P2} {(ok ? "kept" : "undone")}"));
            if (ok)
            {
                goodW = w;
                goodMask = mask;
                goodKept = kept;
                acc = a;
            }
            else
            {
                f /= 2;
            }
        }
        Install(param, goodW, goodMask);
        return new EnergyAwareLayer(layer.Name, pass, rank, energy, densityBefore, (double)goodKept / n, startAcc, acc, steps, sw.Elapsed.TotalSeconds, unitSteps);
    }

    // Unit steps: remove the lowest-L2-norm live units (rows) whole, UnitInitialStep of them at first, halving the step on every
    // rejection, until less than one unit would go. The layer keeps at least one live unit.
    private static List<EnergyAwareUnitStep> RemoveUnits(Module model, PrunableLayer layer, double baseline, EnergyAwareOptions o, ImageDataset validation,
        IProgress<string>? messages, CancellationToken ct)
    {
        var param = layer.Weight;
        int units = param.Value.Dim(0), per = param.Length / units;
        var steps = new List<EnergyAwareUnitStep>();
        double f = o.UnitInitialStep;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var oldW = (float[])param.Value.Data.Clone();
            var oldMask = param.Mask is { } mk ? (float[])mk.Data.Clone() : Enumerable.Repeat(1f, oldW.Length).ToArray();
            var dead = DeadRows(oldMask, units);
            var live = Enumerable.Range(0, units).Where(u => !dead.Contains(u)).ToArray();
            int remove = (int)Math.Floor(f * live.Length);
            if (remove < 1 || remove >= live.Length) break;
            var norms = live.ToDictionary(u => u, u =>
            {
                double s = 0;
                for (int i = u * per; i < (u + 1) * per; i++) s += (double)oldW[i] * oldW[i] * oldMask[i];
                return s;
            });
            var w = (float[])oldW.Clone();
            var mask = (float[])oldMask.Clone();
            foreach (int u in live.OrderBy(u => norms[u]).ThenBy(u => u).Take(remove))
            {
                Array.Clear(w, u * per, per);
                Array.Clear(mask, u * per, per);
            }
            Install(param, w, mask);
            double a = Accuracy(model, validation, ct);
            bool ok = baseline - a <= o.Tolerance;
            steps.Add(new EnergyAwareUnitStep(live.Length, live.Length - remove, a, ok));
            messages?.Report(string.Create(CultureInfo.InvariantCulture,
                $"{layer.Name}: units {live.Length} → {live.Length - remove}, validation {a:P2} {(ok ? "kept" : "undone")}"));
            if (!ok)
            {
                Install(param, oldW, oldMask);
                f /= 2;
            }
        }
        return steps;
    }

    // Rows of an [units, ·] mask with no kept entry.
    private static HashSet<int> DeadRows(float[] mask, int units)
    {
        int per = mask.Length / units;
        var dead = new HashSet<int>();
        for (int u = 0; u < units; u++)
            if (Array.TrueForAll(mask[(u * per)..((u + 1) * per)], v => v == 0)) dead.Add(u);
        return dead;
    }

    private static void Install(Parameter p, float[] w, float[] mask)
    {
        w.CopyTo(p.Value.Data, 0);
        p.SetMask(new Tensor((float[])mask.Clone(), p.Value.Shape.ToArray()));
    }

    private static double Accuracy(Module model, ImageDataset data, CancellationToken ct) => TrainingRun.Evaluate(model, data, ct).Accuracy;

    private static void FineTune(Module model, ImageDataset train, EnergyAwareOptions o, int pass, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var recipe = o.Recipe with { LearningRate = o.Recipe.LearningRate * o.LearningRateScale, Policy = LrPolicy.Cosine };
        TrainingRun.Retrain(model, recipe, train, o.FineTuneEpochs, o.Seed + 7777 * pass, progress, ct);
    }

    // The options that decide the result: a checkpoint is only continued under the same ones.
    private static object Identity(EnergyAwareOptions o, IReadOnlyList<string> order) => new
    {
        order,
        o.Tolerance, o.PerLayerTolerance, o.InitialStep, o.MinStep, o.MinDensity, o.RestoreFraction, o.Sampler.Images, o.Sampler.PositionsPerImage, SamplerSeed = o.Sampler.Seed, o.Sampler.MinRowsPerInput, o.Sampler.MaxLinearImages,
        o.Refit.Ridge, o.Refit.MaxSupport, o.UnitSteps, o.UnitInitialStep, o.FineTuneEpochs, o.Passes, o.LearningRateScale, o.Seed, o.Bits,
    };

    private sealed record Progress(List<EnergyAwareLayer> Layers, List<string[]> Orders, int FineTunedPasses);

    private static void Save(string path, object identity, Module model, List<EnergyAwareLayer> done, List<string[]> orders, int fineTunedPasses) =>
        ResumeCheckpoint.Save(path, model, identity, new Progress(done, orders, fineTunedPasses));

    // Loads the checkpoint into the model; returns the number of fine-tuned passes.
    private static int Restore(string path, object identity, Module model, List<EnergyAwareLayer> done, List<string[]> orders)
    {
        var progress = ResumeCheckpoint.Restore<Progress>(path, model, identity);
        done.Clear();
        done.AddRange(progress.Layers);
        orders.Clear();
        orders.AddRange(progress.Orders);
        return progress.FineTunedPasses;
    }
}
