// DeadNeuronReport: the result of DeadNeuronRemover.Remove — per weight layer unit counts before and
// after, the notes explaining what was left alone, the number of passes to the fixed point, and the
// parameter count of the whole model before and after.
namespace Topiary.Pruning.Structure;

/// <summary>Result of <see cref="DeadNeuronRemover.Remove"/>.</summary>
/// <param name="layers">Every Linear/Conv2d of the model's chain.</param>
/// <param name="notes">What was left alone, and why.</param>
/// <param name="passes">Passes to the fixed point.</param>
/// <param name="parametersBefore">Parameter elements before removal.</param>
/// <param name="parametersAfter">Parameter elements after removal.</param>
/// <remarks>Creating a report with a null list throws <see cref="ArgumentNullException"/>.</remarks>
public sealed class DeadNeuronReport(IReadOnlyList<DeadNeuronLayerReport> layers, IReadOnlyList<DeadNeuronNote> notes, int passes,
    long parametersBefore, long parametersAfter)
{
    /// <summary>Every Linear/Conv2d of the model's chain, in execution order.</summary>
    public IReadOnlyList<DeadNeuronLayerReport> Layers { get; } = Guard.NotNull(layers);

    /// <summary>Unsupported boundaries and dead units that were kept, with reasons (state after the last pass).</summary>
    public IReadOnlyList<DeadNeuronNote> Notes { get; } = Guard.NotNull(notes);

    /// <summary>Passes over the chain until one removed nothing (at least 1 when there are two or more weight layers).</summary>
    public int Passes { get; } = passes;

    /// <summary>Parameter elements of the model before removal.</summary>
    public long ParametersBefore { get; } = parametersBefore;

    /// <summary>Parameter elements of the model after removal.</summary>
    public long ParametersAfter { get; } = parametersAfter;

    /// <summary>Units removed because they had no inputs, over all layers.</summary>
    public int RemovedNoInput => Layers.Sum(l => l.RemovedNoInput);

    /// <summary>Units removed because they had no outputs, over all layers.</summary>
    public int RemovedNoOutput => Layers.Sum(l => l.RemovedNoOutput);

    /// <summary>Units removed, over all layers.</summary>
    public int Removed => RemovedNoInput + RemovedNoOutput;

    /// <summary>True when the model was changed.</summary>
    public bool Changed => Removed > 0;

    /// <summary>The report of the layer named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No weight layer has that name; the message lists the known ones.</exception>
    public DeadNeuronLayerReport this[string name] =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"No weight layer '{name}' in the report (layers: {string.Join(", ", Layers.Select(l => l.Name))}).");
}
