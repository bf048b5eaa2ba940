// OutputLayout: where a convolution's output accumulators live and how products reach them.
//   Accumulators are 4 bytes. The output map of filter m is stored with a zero border of Halo outputs on each side
//   (the padded layout the next 3×3/pad-1 layer reads, and the halo a tiled sparse accelerator such as SCNN keeps
//   around each tile): accumulator (m, oy, ox) is at byte 4·((m·(E + 2h) + oy + h)·(F + 2h) + ox + h).
//   A REQUEST moves one aligned word of RequestBytes. The products one weight group makes with one activation are
//   issued together and coalesced: one request per distinct word they touch (fine: the group is one weight, so every
//   product is its own request; vector: the kept W[m,k,r,:], whose products land on adjacent outputs of one row).
//   Halo 0 and RequestBytes 4 = one request per product in a dense layout (the stream before this layout existed).
namespace Topiary.Hardware.MemoryReferences;

/// <summary>Output-map layout and request width of a sparse convolution's output references.</summary>
public sealed record OutputLayout
{
    /// <summary>Bytes of one output accumulator.</summary>
    public const int AccumulatorBytes = 4;

    /// <summary>Dense layout, one request per product (4-byte requests, no halo).</summary>
    public static OutputLayout PerProduct { get; } = new() { Halo = 0, RequestBytes = AccumulatorBytes };

    /// <summary>Zero border (in outputs) stored on each side of every output map. Default 1.</summary>
    public int Halo { get; init; } = 1;

    /// <summary>Bytes one request moves (a power of two, at least <see cref="AccumulatorBytes"/>). Default 8: two accumulators.</summary>
    public int RequestBytes { get; init; } = 8;

    /// <summary>Checks both fields.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative halo, or a request width that is not a power of two ≥ 4.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Halo, nameof(Halo));
        if (RequestBytes < AccumulatorBytes || (RequestBytes & (RequestBytes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(RequestBytes), RequestBytes, $"The request width must be a power of two of at least {AccumulatorBytes} bytes.");
    }

    /// <summary>Bytes of one filter's output map including the halo: 4·(E + 2h)·(F + 2h).</summary>
    public long PlaneBytes(Models.Shapes.LayerShape layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return (long)AccumulatorBytes * (layer.E + 2 * Halo) * (layer.F + 2 * Halo);
    }
}
