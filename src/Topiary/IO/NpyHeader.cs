// NpyHeader: the header dict of an NPY file — a Python literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// parsed by a small recursive-descent reader of the Python literal subset numpy writes (strings in single or double
// quotes, True/False/None, integers with an optional Python 2 'L' suffix, tuples, lists; nesting at most 16 deep), then
// checked key by key: exactly the keys 'descr', 'fortran_order' and 'shape'; 'descr' a supported dtype string;
// 'fortran_order' False (True is refused: only C order is supported); 'shape' a tuple of integers in [0, 2^31-1]
// ((3) is an int in Python, not a tuple: a 1-D shape is written (3,)). Every defect is an InvalidDataException naming the
// source and the field ("header 'shape': ..."). Format writes the dict the way numpy does (without the padding).
using System.Globalization;
using System.Text;

namespace Topiary.IO;

/// <summary>A parsed and checked NPY header dict.</summary>
internal sealed record NpyHeader(string Descr, NpyDtype Dtype, bool BigEndian, int[] Shape)
{
    private const int MaxDepth = 16;

    /// <summary>Parses and checks the header text of <paramref name="source"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a valid NPY header dict of a supported array.</exception>
    public static NpyHeader Parse(string text, string source)
    {
        var reader = new LiteralReader(text, source);
        var dict = reader.ReadHeaderDict();
        string[] expected = ["descr", "fortran_order", "shape"];
        foreach (var key in dict.Keys)
            if (!expected.Contains(key))
                throw new InvalidDataException($"{source}: header: unexpected key '{key}'; an NPY header has exactly the keys 'descr', 'fortran_order' and 'shape'.");
        foreach (var key in expected)
            if (!dict.ContainsKey(key))
                throw new InvalidDataException($"{source}: header: key '{key}' is missing; an NPY header has exactly the keys 'descr', 'fortran_order' and 'shape'.");

        if (dict["descr"] is not string descr)
            throw new InvalidDataException(dict["descr"] is List<object?>
                ? $"{source}: header 'descr': a structured dtype (a list of fields) is not supported; supported: {string.Join(", ", NpyDtypes.Supported)}."
                : $"{source}: header 'descr': expected a dtype string such as '<f4', found {Show(dict["descr"])}.");
        if (!NpyDtypes.TryParse(descr, out var dtype, out bool bigEndian))
            throw new InvalidDataException($"{source}: header 'descr': dtype '{descr}' is not supported; supported: {string.Join(", ", NpyDtypes.Supported)}.");

        if (dict["fortran_order"] is not bool fortran)
            throw new InvalidDataException($"{source}: header 'fortran_order': expected True or False, found {Show(dict["fortran_order"])}.");
        if (fortran)
            throw new InvalidDataException($"{source}: header 'fortran_order' is True; only C-order arrays are supported (save np.ascontiguousarray(a) instead).");

        if (dict["shape"] is not Tuple shapeTuple)
            throw new InvalidDataException($"{source}: header 'shape': expected a tuple of integers such as (2, 3) or (3,), found {Show(dict["shape"])}.");
        var shape = new int[shapeTuple.Items.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeTuple.Items[i] is not Integer dim)
                throw new InvalidDataException($"{source}: header 'shape': dimension {i} is {Show(shapeTuple.Items[i])}, not an integer.");
            if (dim.Negative && dim.Digits.Any(c => c != '0'))
                throw new InvalidDataException($"{source}: header 'shape': dimension {i} is -{dim.Digits}, which is negative.");
            if (dim.Digits.Length > 10 || !int.TryParse(dim.Digits, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"{source}: header 'shape': dimension {i} is {dim.Digits}, larger than {int.MaxValue}.");
        }
        return new NpyHeader(descr, dtype, bigEndian, shape);
    }

    /// <summary>The header dict numpy writes for <paramref name="descr"/> and <paramref name="shape"/> (no padding, no newline).</summary>
    public static string Format(string descr, ReadOnlySpan<int> shape)
    {
        string dims = shape.Length == 1
            ? shape[0].ToString(CultureInfo.InvariantCulture) + ","
            : string.Join(", ", shape.ToArray().Select(d => d.ToString(CultureInfo.InvariantCulture)));
        return $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
    }

    private static string Show(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        Integer i => (i.Negative ? "-" : "") + i.Digits,
        Tuple t => "(" + string.Join(", ", t.Items.Select(Show)) + (t.Items.Count == 1 ? ",)" : ")"),
        List<object?> l => "[" + string.Join(", ", l.Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>An integer literal, kept as text so that any length can be reported.</summary>
    private sealed record Integer(bool Negative, string Digits);

    /// <summary>A parenthesised tuple (a parenthesised single value without a comma is that value, as in Python).</summary>
    private sealed record Tuple(List<object?> Items);

    private sealed class LiteralReader(string text, string source)
    {
        private int _pos;

        public Dictionary<string, object?> ReadHeaderDict()
        {
            SkipSpace();
            if (!TryTake('{')) throw Error("expected '{' at the start of the header dict");
            var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
            SkipSpace();
            while (!TryTake('}'))
            {
                if (Peek() is not ('\'' or '"')) throw Error("expected a quoted key or '}'");
                string key = ReadString();
                SkipSpace();
                if (!TryTake(':')) throw Error($"expected ':' after key '{key}'");
                SkipSpace();
                object? value = ReadValue(0);
                if (!dict.TryAdd(key, value)) throw new InvalidDataException($"{source}: header: key '{key}' appears twice.");
                SkipSpace();
                if (TryTake(',')) { SkipSpace(); continue; }
                if (!TryTake('}')) throw Error($"expected ',' or '}}' after the value of '{key}'");
                break;
            }
            // numpy pads the dict with spaces and ends it with '\n'; older writers padded with NULs.
            for (; _pos < text.Length; _pos++)
                if (text[_pos] is not (' ' or '\n' or '\r' or '\t' or '\0'))
                    throw Error("unexpected text after the header dict");
            return dict;
        }

        private object? ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Error($"values nested more than {MaxDepth} deep");
            char c = Peek();
            if (c is '\'' or '"') return ReadString();
            if (c is '(' or '[')
            {
                _pos++;
                char close = c == '(' ? ')' : ']';
                var items = new List<object?>();
                bool comma = false;
                SkipSpace();
                while (!TryTake(close))
                {
                    items.Add(ReadValue(depth + 1));
                    SkipSpace();
                    comma = TryTake(',');
                    SkipSpace();
                    if (!comma)
                    {
                        if (!TryTake(close)) throw Error($"expected ',' or '{close}'");
                        break;
                    }
                }
                if (close == ']') return items;
                return items.Count == 1 && !comma ? items[0] : new Tuple(items);
            }
            if (c is '-' or '+' || char.IsAsciiDigit(c))
            {
                bool negative = c == '-';
                if (c is '-' or '+') _pos++;
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (_pos == start) throw Error("expected digits");
                string digits = text[start.._pos].TrimStart('0');
                if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++; // Python 2 long, e.g. (3L, 4L)
                return new Integer(negative, digits.Length == 0 ? "0" : digits);
            }
            foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
            {
                if (string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0)
                {
                    _pos += word.Length;
                    return value;
                }
            }
            throw Error("expected a value (a string, True, False, None, an integer, a tuple or a list)");
        }

        private string ReadString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw Error("unterminated string");
                char c = text[_pos++];
                if (c == quote) return sb.ToString();
                if (c == '\\')
                {
                    if (_pos >= text.Length) throw Error("unterminated string");
                    c = text[_pos++];
                }
                else if (c == '\n')
                {
                    throw Error("unterminated string");
                }
                sb.Append(c);
            }
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private bool TryTake(char c)
        {
            if (Peek() != c || _pos >= text.Length) return false;
            _pos++;
            return true;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        private InvalidDataException Error(string what)
        {
            string shown = text.Length > 120 ? text[..120] + "..." : text;
            return new InvalidDataException($"{source}: header: {what} at offset {_pos} of the header dict \"{Escape(shown)}\".");
        }

        private static string Escape(string s)
        {
            var sb = new StringBuilder(s.Length);
            foreach (char c in s) sb.Append(c < ' ' || c == 0x7F ? $"\\x{(int)c:x2}" : c.ToString());
            return sb.ToString();
        }
    }
}
