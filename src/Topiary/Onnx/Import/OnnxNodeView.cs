// OnnxNodeView: one ONNX node with typed attribute access and the importer's two error kinds, both naming the file,
// the node and its op type: Invalid (the file breaks the ONNX spec → InvalidDataException) and Unsupported (valid ONNX
// that Topiary cannot represent → NotSupportedException).
using System.Globalization;
using Topiary.Onnx.Proto;
using AttrType = Topiary.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Topiary.Onnx;

internal sealed class OnnxNodeView(NodeProto node, string file)
{
    public NodeProto Node { get; } = node;

    public string OpType => Node.OpType;

    public string Name => Node.Name;

    /// <summary>Input <paramref name="i"/>, or "" when absent (omitted optional input).</summary>
    public string Input(int i) => i < Node.Input.Count ? Node.Input[i] : "";

    public int InputCount => Node.Input.Count;

    public bool Has(string name) => Attr(name) is not null;

    public long Int(string name, long fallback)
    {
        var a = Attr(name);
        if (a is null) return fallback;
        Expect(a, AttrType.Int, "INT");
        return a.I;
    }

    public float Float(string name, float fallback)
    {
        var a = Attr(name);
        if (a is null) return fallback;
        Expect(a, AttrType.Float, "FLOAT");
        return a.F;
    }

    public long[]? Ints(string name)
    {
        var a = Attr(name);
        if (a is null) return null;
        Expect(a, AttrType.Ints, "INTS");
        return [.. a.Ints];
    }

    public float[]? Floats(string name)
    {
        var a = Attr(name);
        if (a is null) return null;
        Expect(a, AttrType.Floats, "FLOATS");
        return [.. a.Floats];
    }

    public string Str(string name, string fallback)
    {
        var a = Attr(name);
        if (a is null) return fallback;
        Expect(a, AttrType.String, "STRING");
        return a.S.ToStringUtf8();
    }

    public TensorProto? TensorAttr(string name)
    {
        var a = Attr(name);
        if (a is null) return null;
        Expect(a, AttrType.Tensor, "TENSOR");
        return a.T;
    }

    public NotSupportedException Unsupported(string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}: node '{Node.Name}' (op {Node.OpType}): {reason}."));

    public InvalidDataException Invalid(string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}: node '{Node.Name}' (op {Node.OpType}): {reason}."));

    private AttributeProto? Attr(string name) => Node.Attribute.FirstOrDefault(a => a.Name == name);

    private void Expect(AttributeProto a, AttrType type, string text)
    {
        if (a.Type != type && a.Type != AttrType.Undefined)
            throw Invalid($"attribute '{a.Name}' has type {a.Type}; {text} expected");
    }
}
