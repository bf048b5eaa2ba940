// Trainer: mini-batch training loop with softmax cross-entropy. One optimizer step per batch;
// the learning rate comes from the schedule at the global iteration. Library code: progress goes
// to IProgress<TrainingProgress>, never to the console. An optional AfterStep callback runs after each
// optimizer step (e.g. node pruning's penalty on its gates).
// Data-parallel (DataParallel.Current has several ranks): each batch is this rank's share of a global batch; the loss
// is averaged over the global batch, the gradients are summed over ranks (GradientAllReduce, fixed bucket order) before
// the optimizer step, so every rank takes the same step as a single process on the whole batch (up to the order of
// float additions). Dropout masks follow the global row index. Every epoch starts with a check that all ranks hold the
// same weights and masks, and ends with rank 0's buffers (BatchNorm running statistics) copied to all ranks.
// The input gradient of the batch is never needed: a first Conv2d layer is told so around Backward (it skips dx).
// Micro-batches (DataParallel.MicroBatches = K): the batch is cut into K shares whose gradients are added in order — one
// process with K = 2 takes bit-for-bit the steps of two ranks (BatchNorm aside: its statistics are per share).
using Topiary.Distributed;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Trains a classifier with softmax cross-entropy.</summary>
public sealed class Trainer
{
    private Tensor? _gradLogits;
    private GradientAllReduce? _reducer;
    private Dropout[]? _dropouts;
    private float[][]? _sums;
    private Dictionary<int, Tensor>? _microInputs;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    public Trainer(Module model, Optimizer optimizer, ILearningRateSchedule schedule)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate schedule.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>
    /// Called after every optimizer step (before <see cref="Iteration"/> advances), with the trainer whose
    /// <see cref="Optimizer"/> holds the learning rate of that step — the hook for per-step parameter updates outside the
    /// gradient, such as node pruning's β −= penalty·lr. Null: nothing runs.
    /// </summary>
    public Action<Trainer>? AfterStep { get; set; }

    /// <summary>Optimizer steps taken so far (set it when resuming).</summary>
    public long Iteration { get; set; }

    /// <summary>Runs one epoch over <paramref name="batches"/>; returns the mean training loss.</summary>
    /// <exception cref="OperationCanceledException">Cancelled between batches.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite.</exception>
    public float TrainEpoch(IEnumerable<Batch> batches, int batchCount, int epoch, int epochs,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var communicator = DataParallel.Current;
        if (communicator.Size > 1) ModelConsistency.Verify(communicator, Model, $"at the start of epoch {epoch}");
        double lossSum = 0;
        int seen = 0;
        int b = 0;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float loss = Step(batch);
            lossSum += loss * batch.MeanOver;
            seen += batch.MeanOver;
            b++;
            progress?.Report(new TrainingProgress("train", epoch, epochs, b, batchCount, Iteration, loss, Optimizer.LearningRate));
        }
        if (communicator.Size > 1) ModelConsistency.BroadcastBuffers(communicator, Model);
        return seen == 0 ? 0f : (float)(lossSum / seen);
    }

    /// <summary>
    /// One forward/backward/update on <paramref name="batch"/>; returns the batch's mean loss (with several ranks: the
    /// mean over the global batch, the same on every rank).
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (on any rank).</exception>
    /// <exception cref="IOException">Summing the gradients across ranks failed.</exception>
    public float Step(Batch batch)
    {
        batch.Validate();
        var communicator = DataParallel.Current;
        Optimizer.LearningRate = Schedule.At((int)Math.Min(Iteration, int.MaxValue));
        int micro = DataParallel.MicroBatches;
        float loss = micro == 1 || batch.Labels.Length == 0 ? ForwardBackward(batch, communicator) : Accumulate(batch, micro);
        if (communicator.Size > 1)
        {
            _reducer ??= new GradientAllReduce();
            loss = _reducer.Reduce(communicator, Optimizer.Parameters, loss, DataParallel.Statistics);
            ThrowIfDiverged(loss);
        }
        Optimizer.Step();
        AfterStep?.Invoke(this);
        Iteration++;
        return loss;
    }

    // Zeroed gradients, then forward and backward on the batch (nothing on an empty share); returns its loss part.
    private float ForwardBackward(Batch batch, ICommunicator communicator)
    {
        Optimizer.ZeroGrad();
        if (batch.Labels.Length == 0)
        {
            // An empty share: zero gradients; the dropout streams still advance with the other ranks'.
            foreach (var d in Dropouts()) d.Step++;
            return 0;
        }
        SetDropoutRows(batch.GlobalOffset);
        var logits = Model.Forward(batch.Inputs, training: true);
        if (_gradLogits is null || !_gradLogits.SameShape(logits)) _gradLogits = new Tensor(logits.Shape.ToArray());
        float loss = SoftmaxCrossEntropy.Compute(logits, batch.Labels, _gradLogits, batch.MeanOver);
        if (communicator.Size == 1) ThrowIfDiverged(loss);
        // Nobody reads the gradient with respect to the batch's images: the first convolution skips computing it.
        var first = FirstConvolution(Model);
        if (first is not null) first.InputGradientUnused = true;
        try
        {
            Model.Backward(_gradLogits);
        }
        finally
        {
            if (first is not null) first.InputGradientUnused = false;
        }
        return loss;
    }

    // Gradient accumulation: the batch cut into `micro` contiguous shares, each share's gradient computed from zero and
    // added in share order (g0 + g1 + ...: for two shares exactly what a two-rank allreduce computes). Every share
    // draws the dropout masks of its global rows at the same step, so the step equals the ranks' step.
    private float Accumulate(Batch batch, int micro)
    {
        var parameters = Optimizer.Parameters;
        _sums ??= new float[parameters.Count][];
        var dropouts = Dropouts();
        var steps = dropouts.Select(d => d.Step).ToArray();
        float loss = 0;
        bool first = true;
        int rows = batch.Labels.Length;
        int rowSize = batch.Inputs.Length / rows;
        for (int k = 0; k < micro; k++)
        {
            var share = BatchShard.Of(rows, k, micro);
            if (share.Count == 0) continue;
            var inputs = MicroInputs(k, batch.Inputs, share, rowSize);
            var labels = batch.Labels.AsSpan(share.Offset, share.Count).ToArray();
            for (int i = 0; i < steps.Length; i++) dropouts[i].Step = steps[i];
            loss += ForwardBackward(new Batch(inputs, labels) { GlobalOffset = batch.GlobalOffset + share.Offset, GlobalCount = batch.MeanOver },
                SingleProcessCommunicator.Instance);
            for (int p = 0; p < parameters.Count; p++)
            {
                var grad = parameters[p].Grad.Span;
                if (_sums[p] is not { } sum || sum.Length != grad.Length) _sums[p] = sum = new float[grad.Length];
                if (first) grad.CopyTo(sum);
                else TensorPrimitives.Add(sum, grad, sum);
            }
            first = false;
        }
        for (int p = 0; p < parameters.Count; p++) _sums[p].CopyTo(parameters[p].Grad.Span);
        for (int i = 0; i < steps.Length; i++) dropouts[i].Step = steps[i] + 1;
        if (DataParallel.Current.Size == 1) ThrowIfDiverged(loss);
        return loss;
    }

    private Tensor MicroInputs(int k, Tensor inputs, BatchShard share, int rowSize)
    {
        _microInputs ??= [];
        var shape = inputs.Shape.ToArray();
        shape[0] = share.Count;
        if (!_microInputs.TryGetValue(k, out var t) || !t.Shape.SequenceEqual(shape)) _microInputs[k] = t = new Tensor(shape);
        inputs.Data.AsSpan(share.Offset * rowSize, share.Count * rowSize).CopyTo(t.Data);
        return t;
    }

    /// <summary>The Conv2d that reads the model's input directly (first child of nested Sequentials), or null.</summary>
    private static Conv2d? FirstConvolution(Module model)
    {
        while (model is Sequential { Count: > 0 } sequential) model = sequential[0];
        return model as Conv2d;
    }

    private void ThrowIfDiverged(float loss)
    {
        if (!float.IsFinite(loss))
            throw new InvalidOperationException($"Training diverged: the loss is {loss} at iteration {Iteration} (learning rate {Optimizer.LearningRate}).");
    }

    private Dropout[] Dropouts() => _dropouts ??= Model.NamedModules().Select(m => m.Module).OfType<Dropout>().ToArray();

    private void SetDropoutRows(int offset)
    {
        foreach (var d in Dropouts()) d.RowOffset = offset;
    }
}
