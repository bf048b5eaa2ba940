// ByteMutator: format-blind mutations of a valid file, 1 to 4 per input, each picked at random:
//   bit flips, a byte set to an edge value (0x00, 0xFF, 0x7F, 0x80, 0x01, random), truncation, insertion of a
//   run (random bytes or one repeated byte), deletion of a run, duplication of a run, length-field corruption
//   (1, 2, 4 or 8 bytes overwritten with a huge or edge value, little- or big-endian: 2^64-1, 2^63-1, 2^40,
//   2^32, 2^32-1, 2^31-1, 2^31, 2^30, 2^24, 0, 1) and splicing (a prefix of this file + a suffix of another seed).
// Positions fall in the first 1 KB half of the time (headers and length fields live there) and anywhere otherwise.
// Also: pure random inputs (sometimes behind the format's 4-byte magic) and the text-number mutation shared by
// the JSON/YAML-aware mutators (a number in the text replaced by an edge value).
using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Topiary.Tests.Reliability;

internal static partial class ByteMutator
{
    /// <summary>Edge values written over length fields.</summary>
    public static readonly ulong[] HugeValues =
    [
        ulong.MaxValue, long.MaxValue, 1UL << 40, 1UL << 32, uint.MaxValue, int.MaxValue, 1UL << 31, 1UL << 30, 1UL << 24, 0, 1,
    ];

    /// <summary>Edge values written as text over numbers in JSON or YAML.</summary>
    public static readonly string[] HugeNumbers =
    [
        "-1", "0", "1", "-2147483648", "2147483647", "2147483648", "4294967295", "4294967296", "1099511627776",
        "9223372036854775807", "18446744073709551616", "1e400", "-1e400", "1.5", "NaN", "65536", "268435456",
    ];

    private static readonly byte[] EdgeBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01];

    /// <summary>1 to 4 random mutations of <paramref name="input"/> (which is not modified).</summary>
    public static byte[] Mutate(byte[] input, FuzzTarget target, Random rng)
    {
        byte[] data = input;
        int count = 1 + rng.Next(4);
        for (int m = 0; m < count; m++) data = MutateOnce(data, target, rng);
        return data;
    }

    /// <summary>Random bytes, 0 to 4 KB long; half of them start with the 4-byte magic of a seed.</summary>
    public static byte[] RandomInput(FuzzTarget target, Random rng)
    {
        var data = new byte[rng.Next(rng.Next(2) == 0 ? 64 : 4096)];
        rng.NextBytes(data);
        var seed = target.PickSeed(rng).Bytes;
        if (rng.Next(2) == 0 && data.Length >= 4 && seed.Length >= 4) seed.AsSpan(0, 4).CopyTo(data);
        return data;
    }

    private static byte[] MutateOnce(byte[] data, FuzzTarget target, Random rng)
    {
        if (data.Length == 0) return rng.Next(2) == 0 ? Insert(data, 0, rng) : data;
        int p = Position(data.Length, rng);
        switch (rng.Next(9))
        {
            case 0:
            {
                var copy = (byte[])data.Clone();
                int flips = 1 + rng.Next(8);
                for (int i = 0; i < flips; i++) copy[Position(copy.Length, rng)] ^= (byte)(1 << rng.Next(8));
                return copy;
            }
            case 1:
            {
                var copy = (byte[])data.Clone();
                copy[p] = rng.Next(EdgeBytes.Length + 1) is var k && k < EdgeBytes.Length ? EdgeBytes[k] : (byte)rng.Next(256);
                return copy;
            }
            case 2:
                return data.AsSpan(0, rng.Next(data.Length)).ToArray();
            case 3:
                return Insert(data, p, rng);
            case 4:
            {
                int n = 1 + rng.Next(Math.Min(256, data.Length - p));
                return [.. data.AsSpan(0, p), .. data.AsSpan(p + n)];
            }
            case 5:
            {
                int n = 1 + rng.Next(Math.Min(256, data.Length - p));
                int at = rng.Next(data.Length + 1);
                return [.. data.AsSpan(0, at), .. data.AsSpan(p, n), .. data.AsSpan(at)];
            }
            case 6:
            case 7:
                return LengthField(data, p, rng);
            default:
            {
                byte[] other = target.PickSeed(rng).Bytes;
                int q = other.Length == 0 ? 0 : Position(other.Length, rng);
                return [.. data.AsSpan(0, p), .. other.AsSpan(q)];
            }
        }
    }

    /// <summary>Overwrites 1, 2, 4 or 8 bytes at <paramref name="p"/> with an edge value (either byte order).</summary>
    public static byte[] LengthField(byte[] data, int p, Random rng)
    {
        var copy = (byte[])data.Clone();
        int width = 1 << rng.Next(4);
        if (p > copy.Length - width) p = Math.Max(0, copy.Length - width);
        ulong v = HugeValues[rng.Next(HugeValues.Length)];
        Span<byte> buf = stackalloc byte[8];
        if (rng.Next(2) == 0) BinaryPrimitives.WriteUInt64LittleEndian(buf, v);
        else BinaryPrimitives.WriteUInt64BigEndian(buf, v << (8 * (8 - width)));
        buf[..Math.Min(width, copy.Length - p)].CopyTo(copy.AsSpan(p));
        return copy;
    }

    /// <summary>A number in <paramref name="text"/> (or in a JSON string inside it) replaced by an edge value; null when there is none.</summary>
    public static string? ReplaceNumber(string text, Random rng)
    {
        var matches = NumberPattern().Matches(text);
        if (matches.Count == 0) return null;
        var m = matches[rng.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, m.Index), HugeNumbers[rng.Next(HugeNumbers.Length)], text.AsSpan(m.Index + m.Length));
    }

    /// <summary>UTF-8 text; invalid sequences become U+FFFD.</summary>
    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static byte[] Insert(byte[] data, int p, Random rng)
    {
        var run = new byte[1 + rng.Next(64)];
        if (rng.Next(2) == 0) rng.NextBytes(run);
        else Array.Fill(run, (byte)rng.Next(256));
        return [.. data.AsSpan(0, p), .. run, .. data.AsSpan(p)];
    }

    private static int Position(int length, Random rng) =>
        rng.Next(2) == 0 ? rng.Next(Math.Min(length, 1024)) : rng.Next(length);

    [GeneratedRegex(@"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")]
    private static partial Regex NumberPattern();
}
