// NpyDtype: the element types the NPY reader understands, and the 'descr' strings that name them. Little-endian
// descrs ('<f4', '<f8', '<i8') and their big-endian twins ('>f4', '>f8', '>i8', converted on read) are accepted; a
// single byte has no byte order, so '|u1' (numpy's spelling) and '<u1', '>u1', '=u1' all mean uint8.
namespace Topiary.IO;

/// <summary>Element type of an NPY array.</summary>
public enum NpyDtype
{
    /// <summary>32-bit IEEE float (<c>'&lt;f4'</c>, <c>'&gt;f4'</c>).</summary>
    Float32,

    /// <summary>64-bit IEEE float (<c>'&lt;f8'</c>, <c>'&gt;f8'</c>); rounded to float32 when read as values.</summary>
    Float64,

    /// <summary>Unsigned byte (<c>'|u1'</c>).</summary>
    UInt8,

    /// <summary>Signed 64-bit integer (<c>'&lt;i8'</c>, <c>'&gt;i8'</c>), e.g. class indices.</summary>
    Int64,
}

/// <summary>Sizes and descr strings of <see cref="NpyDtype"/>.</summary>
public static class NpyDtypes
{
    /// <summary>The descr strings the reader accepts, as listed in its error messages.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["<f4", "<f8", "|u1", "<i8", ">f4", ">f8", ">i8"];

    /// <summary>Bytes per element: 4, 8, 1 or 8.</summary>
    public static int ItemSize(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => 4,
        NpyDtype.Float64 => 8,
        NpyDtype.UInt8 => 1,
        NpyDtype.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NPY dtype."),
    };

    /// <summary>The little-endian descr numpy writes for <paramref name="dtype"/> (<c>'&lt;f4'</c>, <c>'|u1'</c>, ...).</summary>
    public static string Descr(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => "<f4",
        NpyDtype.Float64 => "<f8",
        NpyDtype.UInt8 => "|u1",
        NpyDtype.Int64 => "<i8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NPY dtype."),
    };

    /// <summary>Parses a descr: the dtype and whether its bytes are big-endian; false when the descr is not supported.</summary>
    public static bool TryParse(string descr, out NpyDtype dtype, out bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(descr);
        (dtype, bigEndian) = (NpyDtype.Float32, false);
        switch (descr)
        {
            case "<f4": dtype = NpyDtype.Float32; return true;
            case ">f4": (dtype, bigEndian) = (NpyDtype.Float32, true); return true;
            case "<f8": dtype = NpyDtype.Float64; return true;
            case ">f8": (dtype, bigEndian) = (NpyDtype.Float64, true); return true;
            case "|u1" or "<u1" or ">u1" or "=u1": dtype = NpyDtype.UInt8; return true;
            case "<i8": dtype = NpyDtype.Int64; return true;
            case ">i8": (dtype, bigEndian) = (NpyDtype.Int64, true); return true;
            default: return false;
        }
    }
}
