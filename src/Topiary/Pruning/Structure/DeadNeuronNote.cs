// DeadNeuronNote: one explanation attached to a DeadNeuronReport — a boundary between two weight
// layers that was left untouched, or dead units that had to be kept, and why.
namespace Topiary.Pruning.Structure;

/// <summary>Why something was not removed between <paramref name="Producer"/> and <paramref name="Consumer"/>.</summary>
/// <param name="Producer">Name of the weight layer whose units were considered.</param>
/// <param name="Consumer">Name of the next weight layer (the one reading the producer's units).</param>
/// <param name="Reason">Human-readable explanation, naming the module or condition responsible.</param>
public sealed record DeadNeuronNote(string Producer, string Consumer, string Reason);
