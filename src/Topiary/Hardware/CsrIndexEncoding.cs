// CsrIndexEncoding: how a compact CSR stores its column indices on a micro-controller — absolute 16-bit
// columns, or Deep Compression-style 8-bit relative gaps (restarted per row) with filler entries for longer
// zero runs (LayerWorkload.RelativeFillers(8)).
namespace Topiary.Hardware;

/// <summary>Column-index encoding of a compact (16-bit-value) CSR.</summary>
public enum CsrIndexEncoding
{
    /// <summary>Absolute column, 16 bits per entry.</summary>
    Absolute16,
    /// <summary>Gap since the previous entry of the row, 8 bits per entry, plus filler entries for gaps ≥ 256.</summary>
    Relative8,
}
