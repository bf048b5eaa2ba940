// YamlTree: reads one YAML document into a small positioned tree (mapping / sequence / scalar), from
// YamlDotNet's parser events, so every later error can point at a line and column. It rejects what a
// recipe never needs and what would make a load slow or ambiguous: more than one document, aliases
// (*name), duplicate keys, non-scalar keys, nesting deeper than MaxDepth. Every failure — including a
// parser exception of any type — becomes a RecipeException with a position.
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Topiary.Recipes;

internal abstract class YNode(int line, int column)
{
    /// <summary>1-based line of the node's first character.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the node's first character.</summary>
    public int Column { get; } = column;

    /// <summary>"a mapping", "a list", "a string", "empty" — for "must be X, got Y" messages.</summary>
    public abstract string Kind { get; }
}

internal sealed class YScalar(string value, bool plain, int line, int column) : YNode(line, column)
{
    public string Value { get; } = value;

    /// <summary>Unquoted (plain) style: only plain scalars can mean null.</summary>
    public bool Plain { get; } = plain;

    /// <summary>YAML 1.2 core-schema null: an empty plain scalar, <c>~</c>, or <c>null</c> (any case style).</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Kind => IsNull ? "nothing" : "'" + Value + "'";
}

internal sealed class YSequence(List<YNode> items, int line, int column) : YNode(line, column)
{
    public List<YNode> Items { get; } = items;

    public override string Kind => "a list";
}

internal sealed class YMapping(List<KeyValuePair<YScalar, YNode>> entries, int line, int column) : YNode(line, column)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;

    public override string Kind => "a mapping";
}

internal static class YamlTree
{
    /// <summary>Deepest nesting of mappings/lists accepted (a recipe needs 4).</summary>
    internal const int MaxDepth = 32;

    /// <summary>Parses <paramref name="yaml"/> into a tree; null for an empty document.</summary>
    /// <exception cref="RecipeException">Syntax error, several documents, an alias, a duplicate or non-scalar key, too deep.</exception>
    internal static YNode? Parse(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        var stack = new List<Builder>();
        YNode? root = null;
        int documents = 0;
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent e = parser.Current!;
                last = e.End;
                switch (e)
                {
                    case DocumentStart ds:
                        if (++documents > 1)
                            throw Fail(source, ds.Start, "a recipe file holds one YAML document; found a second one");
                        break;
                    case AnchorAlias alias:
                        throw Fail(source, alias.Start, $"aliases (*{alias.Value}) are not supported in recipes");
                    case Scalar s:
                        Add(stack, ref root, new YScalar(s.Value, s.Style == ScalarStyle.Plain, Line(s.Start), Col(s.Start)), source);
                        break;
                    case SequenceStart or MappingStart:
                        if (stack.Count >= MaxDepth)
                            throw Fail(source, e.Start, $"nesting deeper than {MaxDepth} levels");
                        var (line, column) = (Line(e.Start), Col(e.Start));
                        stack.Add(new Builder(e is SequenceStart ? new YSequence([], line, column) : new YMapping([], line, column)));
                        break;
                    case SequenceEnd:
                    case MappingEnd:
                        Builder done = stack[^1];
                        stack.RemoveAt(stack.Count - 1);
                        Add(stack, ref root, done.Node, source);
                        break;
                }
            }
        }
        catch (RecipeException)
        {
            throw;
        }
        catch (YamlException ex)
        {
            throw new RecipeException(source, Line(ex.Start), Col(ex.Start), null, "YAML syntax error: " + ex.Message.TrimEnd('.'), "", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException
                                      or OverflowException or NullReferenceException or KeyNotFoundException)
        {
            // YamlDotNet sometimes fails with a plain .NET exception (seen: InvalidOperationException from the
            // scanner on an unclosed flow list). The position is that of the last event read.
            throw new RecipeException(source, Math.Max(1, Line(last)), Math.Max(1, Col(last)), null,
                "malformed YAML after the value that ends", "", ex);
        }
        return root;
    }

    private static void Add(List<Builder> stack, ref YNode? root, YNode node, string source)
    {
        if (stack.Count == 0)
        {
            root = node;
            return;
        }
        Builder parent = stack[^1];
        switch (parent.Node)
        {
            case YSequence seq:
                seq.Items.Add(node);
                break;
            case YMapping map when parent.PendingKey is null:
                if (node is not YScalar key)
                    throw new RecipeException(source, node.Line, node.Column, null, "keys must be plain names, not " + node.Kind);
                foreach (KeyValuePair<YScalar, YNode> existing in map.Entries)
                    if (existing.Key.Value == key.Value)
                        throw new RecipeException(source, key.Line, key.Column, key.Value,
                            $"duplicate key '{key.Value}' (first at line {existing.Key.Line})");
                parent.PendingKey = key;
                break;
            case YMapping map:
                map.Entries.Add(new KeyValuePair<YScalar, YNode>(parent.PendingKey, node));
                parent.PendingKey = null;
                break;
        }
    }

    private static RecipeException Fail(string source, Mark at, string problem) =>
        new(source, Line(at), Col(at), null, problem);

    private static int Line(Mark m) => (int)Math.Clamp(m.Line, 0, int.MaxValue);

    private static int Col(Mark m) => (int)Math.Clamp(m.Column, 0, int.MaxValue);

    private sealed class Builder(YNode node)
    {
        public YNode Node { get; } = node;

        public YScalar? PendingKey { get; set; }
    }
}
