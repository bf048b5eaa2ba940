// PredictionInputs: the examples a model is to be run on, stacked into one tensor [N, ...example], each with where it
// came from — an image file, or an index into an array file (.npy, IDX).
using Topiary.Tensors;

namespace Topiary.Data;

/// <summary>Where one example came from.</summary>
/// <param name="File">The file holding the example.</param>
/// <param name="Index">The example's index inside an array file (.npy, IDX); null for an image file.</param>
public sealed record ExampleSource(string File, int? Index);

/// <summary>Examples loaded for prediction.</summary>
/// <param name="Kind">What the input path held.</param>
/// <param name="Sources">Where each example came from, in order (length N).</param>
/// <param name="Examples">All examples, <c>[N, ...example]</c>.</param>
public sealed record PredictionInputs(PredictionInputKind Kind, IReadOnlyList<ExampleSource> Sources, Tensor Examples)
{
    /// <summary>Number of examples.</summary>
    public int Count => Sources.Count;

    /// <summary>The shape of one example.</summary>
    public int[] ExampleShape => Examples.Shape[1..].ToArray();
}
