// Trainer: mini-batch training loop with softmax cross-entropy. One optimizer step per batch;
// the learning rate comes from the schedule at the global iteration. Library code: progress goes
// to IProgress<TrainingProgress>, never to the console. An optional AfterStep callback runs after each
// optimizer step (e.g. node pruning's penalty on its gates).
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Trains a classifier with softmax cross-entropy.</summary>
public sealed class Trainer
{
    private Tensor? _gradLogits;

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
        double lossSum = 0;
        int seen = 0;
        int b = 0;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float loss = Step(batch);
            lossSum += loss * batch.Labels.Length;
            seen += batch.Labels.Length;
            b++;
            progress?.Report(new TrainingProgress("train", epoch, epochs, b, batchCount, Iteration, loss, Optimizer.LearningRate));
        }
        return seen == 0 ? 0f : (float)(lossSum / seen);
    }

    /// <summary>One forward/backward/update on <paramref name="batch"/>; returns the batch's mean loss.</summary>
    public float Step(Batch batch)
    {
        batch.Validate();
        Optimizer.LearningRate = Schedule.At((int)Math.Min(Iteration, int.MaxValue));
        Optimizer.ZeroGrad();
        var logits = Model.Forward(batch.Inputs, training: true);
        if (_gradLogits is null || !_gradLogits.SameShape(logits)) _gradLogits = new Tensor(logits.Shape.ToArray());
        float loss = SoftmaxCrossEntropy.Compute(logits, batch.Labels, _gradLogits);
        if (!float.IsFinite(loss))
            throw new InvalidOperationException($"Training diverged: the loss is {loss} at iteration {Iteration} (learning rate {Optimizer.LearningRate}).");
        Model.Backward(_gradLogits);
        Optimizer.Step();
        AfterStep?.Invoke(this);
        Iteration++;
        return loss;
    }
}
