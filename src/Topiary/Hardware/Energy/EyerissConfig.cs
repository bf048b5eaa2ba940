// EyerissConfig: the accelerator the row-stationary energy model maps layers onto — an Eyeriss-like chip
// (Chen et al., ISSCC/JSSC 2016-17): 12×14 processing elements, 512 B register file per PE, 108 KB global
// buffer. IndexBits is the per-non-zero index overhead of the compressed DRAM format (Eyeriss's run-length
// code stores a 5-bit run with each 16-bit value). The data bit width is a per-call parameter, not part of
// the chip: capacities in values are bytes·8/bits. Batch is how many images share one fetch of the weights
// (Yang et al.'s estimates amortise weight traffic over a batch; see EyerissEnergyModel).
namespace Topiary.Hardware.Energy;

/// <summary>Array size and storage of an Eyeriss-like accelerator.</summary>
public sealed record EyerissConfig
{
    /// <summary>The Eyeriss chip: 12×14 PEs, 512 B RF per PE, 108 KB buffer, 5-bit DRAM run-length index, and weights
    /// shared by a batch of <see cref="DefaultBatch"/> images (the setting that reproduces Yang et al. 2017, Table 1).</summary>
    public static EyerissConfig Default { get; } = new();

    /// <summary>
    /// Batch of the default configuration: 8 images. Yang et al. do not state theirs; with the published ImageNet
    /// activation densities, batches 7–11 reproduce both AlexNet rows of their Table 1 (original energy within 15%,
    /// magnitude-pruned energy 47% ± 5 of it) and 8 is the power of two among them. Batch 1 charges every image the
    /// full FC weight traffic (~4x the paper's original AlexNet energy).
    /// </summary>
    public const int DefaultBatch = 8;

    /// <summary>PE rows (filter rows of a PE set and channels stacked vertically share them). Default 12.</summary>
    public int PeRows { get; init; } = 12;

    /// <summary>PE columns (output rows of a PE set and filter groups side by side share them). Default 14.</summary>
    public int PeColumns { get; init; } = 14;

    /// <summary>Register file per PE in bytes. Default 512.</summary>
    public int RfBytesPerPe { get; init; } = 512;

    /// <summary>Global buffer in bytes. Default 108 KB (110,592 B).</summary>
    public int BufferBytes { get; init; } = 108 * 1024;

    /// <summary>Index bits stored with each non-zero value in DRAM. Default 5.</summary>
    public int IndexBits { get; init; } = 5;

    /// <summary>
    /// Images per batch N: weights are fetched from DRAM, read from the buffer and sent over the array once per batch
    /// and per tiling pass, so each image is charged 1/N of that weight traffic. Inputs, psums and every RF access
    /// stay per image. Default <see cref="DefaultBatch"/>; 1 = every image fetches every weight (single-image inference).
    /// </summary>
    public int Batch { get; init; } = DefaultBatch;

    /// <summary>Register-file capacity in values of <paramref name="bits"/> bits.</summary>
    public long RfValues(int bits) => (long)RfBytesPerPe * 8 / bits;

    /// <summary>Buffer capacity in values of <paramref name="bits"/> bits.</summary>
    public long BufferValues(int bits) => (long)BufferBytes * 8 / bits;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the batch below 1, or a negative index width.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PeRows, 1, nameof(PeRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(PeColumns, 1, nameof(PeColumns));
        ArgumentOutOfRangeException.ThrowIfLessThan(RfBytesPerPe, 1, nameof(RfBytesPerPe));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferBytes, 1, nameof(BufferBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(IndexBits, nameof(IndexBits));
        ArgumentOutOfRangeException.ThrowIfLessThan(Batch, 1, nameof(Batch));
    }
}
