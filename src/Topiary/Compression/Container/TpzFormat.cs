// TpzFormat: the Topiary compressed-model container (".tpz"), version 1. All integers little-endian.
//
//   file    := header section*
//   header  := magic "TPZ\x1A" (4 bytes) | version u16 | reserved u16 (0) | section_count u32 | header_crc u32
//              (header_crc = CRC-32 of the 12 bytes before it)
//   section := kind u8 | name_length u16 | name (UTF-8) | payload_length u32 | payload | crc u32
//              (crc = CRC-32 of kind..payload, System.IO.Hashing.Crc32)
//   kinds   := 1 Metadata (UTF-8 JSON object of strings: at least "model", the zoo architecture)
//              2 DenseTensor (rank u8 | dims u32* | float32 values) — biases and unquantized parameters
//              3 QuantizedLayer (see QuantizedLayerCodec)
//              4 GroupSparseLayer (see GroupSparseLayerCodec; Mao et al. 2017's group-sparse format)
//
// Readers trust nothing: every length is checked against the bytes that remain before anything is
// allocated, so a corrupt or hostile file can never make the decoder allocate more than the file's size
// allows; any inconsistency throws InvalidDataException naming the file, the section and the field.
namespace Topiary.Compression.Container;

/// <summary>Section kinds of a .tpz container.</summary>
public enum TpzSectionKind : byte
{
    /// <summary>UTF-8 JSON object of string metadata ("model", ...).</summary>
    Metadata = 1,
    /// <summary>A float32 tensor stored as is.</summary>
    DenseTensor = 2,
    /// <summary>A pruned, weight-shared, Huffman-coded weight matrix.</summary>
    QuantizedLayer = 3,
    /// <summary>A group-pruned weight matrix in the group-sparse format (relative group indices, fillers, fixed-width values).</summary>
    GroupSparseLayer = 4,
}

/// <summary>Constants of the .tpz format.</summary>
public static class TpzFormat
{
    /// <summary>The 4-byte magic: "TPZ" followed by 0x1A.</summary>
    public static ReadOnlySpan<byte> Magic => "TPZ\u001A"u8;

    /// <summary>The format version this build writes and reads.</summary>
    public const ushort Version = 1;

    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 16;

    /// <summary>Longest section name accepted.</summary>
    public const int MaxNameLength = 1024;

    /// <summary>Smallest possible section (kind, empty name, zero payload, crc).</summary>
    public const int MinSectionSize = 1 + 2 + 4 + 4;

    /// <summary>True when <paramref name="bytes"/> starts with the .tpz magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.Length >= 4 && bytes[..4].SequenceEqual(Magic);
}

/// <summary>One section of a container.</summary>
/// <param name="Kind">What the payload holds.</param>
/// <param name="Name">Section name (a parameter name such as <c>fc1.weight</c>, or <c>metadata</c>).</param>
/// <param name="Payload">The payload bytes.</param>
public sealed record TpzSection(TpzSectionKind Kind, string Name, byte[] Payload);
