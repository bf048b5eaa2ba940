// TpzContainer: reads and writes the section framing of a .tpz file (see TpzFormat) — magic, version,
// CRC-32 per section — with atomic writes and bounded, fully validated reads.
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Topiary.IO;

namespace Topiary.Compression.Container;

/// <summary>Section-level I/O of .tpz containers.</summary>
public static class TpzContainer
{
    /// <summary>Serialises <paramref name="sections"/> into container bytes.</summary>
    /// <exception cref="ArgumentException">A name is too long or a payload too large.</exception>
    public static byte[] ToBytes(IReadOnlyList<TpzSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        using var ms = new MemoryStream();
        Span<byte> header = stackalloc byte[TpzFormat.HeaderSize];
        TpzFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], TpzFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)sections.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32.HashToUInt32(header[..12]));
        ms.Write(header);
        Span<byte> crc = stackalloc byte[4];
        foreach (var s in sections)
        {
            byte[] name = Encoding.UTF8.GetBytes(s.Name);
            if (name.Length > TpzFormat.MaxNameLength)
                throw new ArgumentException($"Section name '{s.Name}' is longer than {TpzFormat.MaxNameLength} bytes.", nameof(sections));
            var body = new byte[1 + 2 + name.Length + 4 + s.Payload.Length];
            body[0] = (byte)s.Kind;
            BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(1), (ushort)name.Length);
            name.CopyTo(body.AsSpan(3));
            BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(3 + name.Length), (uint)s.Payload.Length);
            s.Payload.CopyTo(body.AsSpan(7 + name.Length));
            ms.Write(body);
            BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.HashToUInt32(body));
            ms.Write(crc);
        }
        return ms.ToArray();
    }

    /// <summary>Writes a container atomically (temp file + rename).</summary>
    public static void Write(string path, IReadOnlyList<TpzSection> sections) => AtomicFile.WriteAllBytes(path, ToBytes(sections));

    /// <summary>Reads and validates every section of the container at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Bad magic, unsupported version, truncation, CRC mismatch, trailing bytes.</exception>
    public static IReadOnlyList<TpzSection> Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses container bytes; <paramref name="source"/> names the file in error messages.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Read"/>.</exception>
    public static IReadOnlyList<TpzSection> Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < TpzFormat.HeaderSize)
            throw new InvalidDataException($"{source}: file is {bytes.Length} bytes, shorter than the {TpzFormat.HeaderSize}-byte .tpz header.");
        if (!TpzFormat.HasMagic(bytes))
            throw new InvalidDataException($"{source}: not a .tpz container (magic {Convert.ToHexString(bytes[..4])}, expected {Convert.ToHexString(TpzFormat.Magic)}).");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version != TpzFormat.Version)
            throw new InvalidDataException($"{source}: .tpz version {version} is not supported (this build reads version {TpzFormat.Version}).");
        uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (headerCrc != Crc32.HashToUInt32(bytes[..12]))
            throw new InvalidDataException($"{source}: header CRC mismatch (the file is corrupt).");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        long room = bytes.Length - TpzFormat.HeaderSize;
        if (count > room / TpzFormat.MinSectionSize)
            throw new InvalidDataException($"{source}: header declares {count} sections; the file has room for at most {room / TpzFormat.MinSectionSize}.");

        var sections = new List<TpzSection>((int)count);
        int pos = TpzFormat.HeaderSize;
        for (int i = 0; i < count; i++)
        {
            int start = pos;
            string where = $"{source}: section {i} at byte {start}";
            Need(bytes, pos, 3, where, "kind and name length");
            var kind = (TpzSectionKind)bytes[pos];
            if (!Enum.IsDefined(kind)) throw new InvalidDataException($"{where}: unknown section kind {(byte)kind}.");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(pos + 1)..]);
            if (nameLength > TpzFormat.MaxNameLength) throw new InvalidDataException($"{where}: name length {nameLength} exceeds {TpzFormat.MaxNameLength}.");
            pos += 3;
            Need(bytes, pos, nameLength + 4, where, "name and payload length");
            string name;
            try
            {
                name = new UTF8Encoding(false, true).GetString(bytes.Slice(pos, nameLength));
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"{where}: section name is not valid UTF-8.");
            }
            pos += nameLength;
            uint payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[pos..]);
            pos += 4;
            if (payloadLength > (uint)(bytes.Length - pos)) throw new InvalidDataException($"{where} ('{name}'): payload of {payloadLength} bytes runs past the end of the file.");
            Need(bytes, pos, (int)payloadLength + 4, $"{where} ('{name}')", "payload and CRC");
            byte[] payload = bytes.Slice(pos, (int)payloadLength).ToArray();
            pos += (int)payloadLength;
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[pos..]);
            if (crc != Crc32.HashToUInt32(bytes[start..pos]))
                throw new InvalidDataException($"{where} ('{name}'): CRC mismatch (the section is corrupt).");
            pos += 4;
            sections.Add(new TpzSection(kind, name, payload));
        }
        if (pos != bytes.Length)
            throw new InvalidDataException($"{source}: {bytes.Length - pos} trailing bytes after the last section.");
        return sections;
    }

    private static void Need(ReadOnlySpan<byte> bytes, int pos, int count, string where, string field)
    {
        if (count < 0 || pos > bytes.Length - count)
            throw new InvalidDataException($"{where}: truncated while reading the {field}.");
    }
}
