// PredictionInputKind: the kinds of input PredictionInputLoader reads, detected from the path and the file's first bytes.
namespace Topiary.Data;

/// <summary>What a prediction input path holds.</summary>
public enum PredictionInputKind
{
    /// <summary>A NumPy <c>.npy</c> array (magic <c>\x93NUMPY</c>, or the <c>.npy</c> extension).</summary>
    Npy,

    /// <summary>An IDX image file such as MNIST's <c>t10k-images-idx3-ubyte</c> (bytes <c>00 00 08</c>), plain or gzip-compressed.</summary>
    Idx,

    /// <summary>One image file (anything else; SkiaSharp decides by content).</summary>
    Image,

    /// <summary>A folder: its image files (by extension), sorted by name.</summary>
    ImageFolder,
}
