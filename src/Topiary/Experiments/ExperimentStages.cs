// ExperimentStages: the stages every paper reproduction starts with — train (or resume) the dense reference into
// <work>/reference.ckpt, and load the dataset's training images (the first TrainLimit of them) and test images.
using Topiary.Data;
using Topiary.Models;
using Topiary.Recipes;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>The reproductions' shared stages.</summary>
public static class ExperimentStages
{
    /// <summary>Trains (or, with <see cref="ExperimentOptions.Resume"/>, continues) the dense reference on the first
    /// <paramref name="trainLimit"/> images of <paramref name="dataset"/> (default: the options' TrainLimit).</summary>
    public static TrainingRunResult Reference(ExperimentOptions options, string dataset, IProgress<TrainingProgress>? progress,
        IProgress<string>? messages, CancellationToken cancellationToken, int? trainLimit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.WorkDirectory);
        messages?.Report("training the dense reference");
        return TrainingRun.Run(new TrainingRunOptions
        {
            Model = ModelZoo.Get(options.Model).Name,
            Dataset = dataset,
            Seed = options.Seed,
            Epochs = options.ReferenceEpochs,
            TrainLimit = trainLimit ?? options.TrainLimit,
            CheckpointPath = Path.Combine(options.WorkDirectory, "reference.ckpt"),
            Resume = options.Resume,
        }, progress, messages, cancellationToken);
    }

    /// <summary>The training images (the first TrainLimit) and the test images of <paramref name="dataset"/>.</summary>
    public static (ImageDataset Train, ImageDataset Test) Data(ExperimentOptions options, string dataset, IProgress<string>? messages,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = PruneStage.Data(dataset, 0, options.TrainLimit, null, null, messages, cancellationToken);
        return (data.Train, data.Test);
    }
}
