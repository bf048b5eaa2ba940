// TrainingProgress: the one progress record every long training job reports through IProgress<T>.
namespace Topiary.Training;

/// <summary>Progress of a training job, reported after every batch and at the end of every epoch.</summary>
/// <param name="Phase">What is running, e.g. "train" or "evaluate".</param>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">1-based batch number within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Iteration">Global iteration count (optimizer steps taken).</param>
/// <param name="Loss">Mean loss of the last batch (train) or of the whole set (evaluate).</param>
/// <param name="LearningRate">Learning rate used for the last step.</param>
/// <param name="TestError">Test error after the epoch, when known (fraction in [0,1]).</param>
public sealed record TrainingProgress(
    string Phase, int Epoch, int Epochs, int Batch, int Batches, long Iteration, float Loss, float LearningRate,
    double? TestError = null);
