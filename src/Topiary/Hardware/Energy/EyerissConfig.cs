// EyerissConfig: the accelerator the row-stationary energy model maps layers onto — an Eyeriss-like chip
// (Chen et al., ISSCC/JSSC 2016-17): 12×14 processing elements, 512 B register file per PE, 108 KB global
// buffer. IndexBits is the per-non-zero index overhead of the compressed DRAM format (Eyeriss's run-length
// code stores a 5-bit run with each 16-bit value). The data bit width is a per-call parameter, not part of
// the chip: capacities in values are bytes·8/bits.
namespace Topiary.Hardware.Energy;

/// <summary>Array size and storage of an Eyeriss-like accelerator.</summary>
public sealed record EyerissConfig
{
    /// <summary>The Eyeriss chip: 12×14 PEs, 512 B RF per PE, 108 KB buffer, 5-bit DRAM run-length index.</summary>
    public static EyerissConfig Default { get; } = new();

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

    /// <summary>Register-file capacity in values of <paramref name="bits"/> bits.</summary>
    public long RfValues(int bits) => (long)RfBytesPerPe * 8 / bits;

    /// <summary>Buffer capacity in values of <paramref name="bits"/> bits.</summary>
    public long BufferValues(int bits) => (long)BufferBytes * 8 / bits;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or a negative index width.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PeRows, 1, nameof(PeRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(PeColumns, 1, nameof(PeColumns));
        ArgumentOutOfRangeException.ThrowIfLessThan(RfBytesPerPe, 1, nameof(RfBytesPerPe));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferBytes, 1, nameof(BufferBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(IndexBits, nameof(IndexBits));
    }
}
