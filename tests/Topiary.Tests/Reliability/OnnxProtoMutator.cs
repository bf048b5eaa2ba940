// OnnxProtoMutator: structure-aware mutations of a valid ONNX model — the protobuf stays well-formed, so the change
// reaches the importer's graph, attribute and tensor checks. 1 to 3 of: a node's op type replaced (by another
// supported operator or a made-up one); an attribute's value set to an edge value (int, ints element, float, string),
// an attribute removed, or a plausible one added (group, dilations, auto_pad, axis, transA, transB, pads, kernel_shape,
// strides); a node input or output removed, added, renamed to another tensor or to a missing one; a node removed,
// duplicated or moved; an initializer's dims changed (edge value, dimension added or removed), its data cut, its
// data type changed, its data moved to float_data or marked external; a sparse initializer's dims, an index value or its tensors changed;
// the graph input's shape or element type changed; a graph output removed or added; the opset version changed.
using Google.Protobuf;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Reliability;

internal static class OnnxProtoMutator
{
    private static readonly long[] EdgeLongs = [-1, 0, 1, 2, 3, 7, int.MaxValue, 1L << 31, 1L << 40, long.MaxValue, long.MinValue];

    private static readonly string[] Ops =
        ["Conv", "Gemm", "MatMul", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
         "BatchNormalization", "LRN", "Dropout", "Identity", "Constant", "Concat", "Softmax", "Sigmoid", ""];

    private static readonly string[] AttributeNames =
        ["group", "dilations", "auto_pad", "axis", "transA", "transB", "pads", "kernel_shape", "strides", "alpha", "beta", "size", "epsilon", "ceil_mode"];

    public static byte[] Mutate(byte[] seed, Random rng)
    {
        var model = ModelProto.Parser.ParseFrom(seed);
        int count = 1 + rng.Next(3);
        for (int i = 0; i < count; i++) MutateOnce(model, rng);
        return model.ToByteArray();
    }

    private static long Edge(Random rng) => EdgeLongs[rng.Next(EdgeLongs.Length)];

    private static T Pick<T>(IList<T> list, Random rng) => list[rng.Next(list.Count)];

    private static IEnumerable<string> TensorNames(GraphProto g) =>
        g.Node.SelectMany(n => n.Output).Concat(g.Initializer.Select(t => t.Name)).Concat(g.Input.Select(v => v.Name));

    private static void MutateOnce(ModelProto model, Random rng)
    {
        var g = model.Graph;
        if (g is null) return;
        switch (rng.Next(12))
        {
            case 0 when g.Node.Count > 0:
                Pick(g.Node, rng).OpType = Pick(Ops, rng);
                break;
            case 1 when g.Node.Count > 0:
                MutateAttribute(Pick(g.Node, rng), rng);
                break;
            case 2 when g.Node.Count > 0:
                MutateWiring(g, Pick(g.Node, rng), rng);
                break;
            case 3 when g.Node.Count > 0:
            {
                int i = rng.Next(g.Node.Count);
                var node = g.Node[i];
                switch (rng.Next(3))
                {
                    case 0: g.Node.RemoveAt(i); break;
                    case 1: g.Node.Insert(rng.Next(g.Node.Count + 1), node.Clone()); break;
                    default: g.Node.RemoveAt(i); g.Node.Insert(rng.Next(g.Node.Count + 1), node); break;
                }
                break;
            }
            case 4:
            case 5:
                if (g.Initializer.Count > 0) MutateTensor(Pick(g.Initializer, rng), rng);
                break;
            case 6 when g.SparseInitializer.Count > 0:
            {
                var s = Pick(g.SparseInitializer, rng);
                switch (rng.Next(5))
                {
                    case 0 when s.Dims.Count > 0: s.Dims[rng.Next(s.Dims.Count)] = Edge(rng); break;
                    case 3 when s.Indices is { RawData.Length: >= 8 } idx:
                    {
                        var raw = idx.RawData.ToByteArray();
                        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * rng.Next(raw.Length / 8)), Edge(rng));
                        idx.RawData = ByteString.CopyFrom(raw);
                        break;
                    }
                    case 1 when s.Indices is not null: MutateTensor(s.Indices, rng); break;
                    case 2 when s.Values is not null: MutateTensor(s.Values, rng); break;
                    default: s.Dims.Add(Edge(rng)); break;
                }
                break;
            }
            case 7 when g.Input.Count > 0:
            {
                var type = Pick(g.Input, rng).Type?.TensorType;
                if (type is null) break;
                if (rng.Next(4) == 0) type.ElemType = rng.Next(17);
                else if (type.Shape is { Dim.Count: > 0 } shape)
                {
                    var dim = Pick(shape.Dim, rng);
                    if (rng.Next(3) == 0) dim.DimParam = "M";
                    else dim.DimValue = Edge(rng);
                    if (rng.Next(4) == 0) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Edge(rng) });
                }
                break;
            }
            case 8:
                if (rng.Next(2) == 0 && g.Output.Count > 0) g.Output.RemoveAt(rng.Next(g.Output.Count));
                else g.Output.Add(new ValueInfoProto { Name = TensorNames(g).ElementAtOrDefault(rng.Next(8)) ?? "extra" });
                break;
            case 9 when model.OpsetImport.Count > 0:
                model.OpsetImport[0].Version = rng.Next(2) == 0 ? rng.Next(1, 25) : Edge(rng);
                break;
            case 10 when g.Input.Count > 0:
                g.Input.Add(g.Input[0].Clone()); // a second (or duplicated) graph input
                break;
            default:
                if (g.Node.Count > 0) Pick(g.Node, rng).Name = rng.Next(2) == 0 ? "" : Pick(g.Node, rng).Name;
                break;
        }
    }

    private static void MutateAttribute(NodeProto node, Random rng)
    {
        if (node.Attribute.Count == 0 || rng.Next(4) == 0)
        {
            string name = Pick(AttributeNames, rng);
            var a = new AttributeProto { Name = name };
            switch (rng.Next(4))
            {
                case 0: a.Type = AttributeProto.Types.AttributeType.Int; a.I = Edge(rng); break;
                case 1: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.Add(Enumerable.Range(0, rng.Next(6)).Select(_ => Edge(rng))); break;
                case 2: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(rng.Next(2) == 0 ? "SAME_UPPER" : "VALID"); break;
                default: a.Type = AttributeProto.Types.AttributeType.Float; a.F = rng.Next(2) == 0 ? float.NaN : -1e30f; break;
            }
            node.Attribute.Add(a);
            return;
        }
        var attr = Pick(node.Attribute, rng);
        switch (rng.Next(6))
        {
            case 0: node.Attribute.Remove(attr); break;
            case 1: attr.I = Edge(rng); break;
            case 2 when attr.Ints.Count > 0: attr.Ints[rng.Next(attr.Ints.Count)] = Edge(rng); break;
            case 3: if (rng.Next(2) == 0 && attr.Ints.Count > 0) attr.Ints.RemoveAt(attr.Ints.Count - 1); else attr.Ints.Add(Edge(rng)); break;
            case 4: attr.F = rng.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => -attr.F }; break;
            default: attr.Type = (AttributeProto.Types.AttributeType)rng.Next(13); break;
        }
    }

    private static void MutateWiring(GraphProto g, NodeProto node, Random rng)
    {
        var names = TensorNames(g).ToList();
        string other = rng.Next(4) == 0 ? "ghost" : Pick(names, rng);
        switch (rng.Next(5))
        {
            case 0 when node.Input.Count > 0: node.Input.RemoveAt(rng.Next(node.Input.Count)); break;
            case 1: node.Input.Add(other); break;
            case 2 when node.Input.Count > 0: node.Input[rng.Next(node.Input.Count)] = other; break;
            case 3 when node.Output.Count > 0: node.Output[rng.Next(node.Output.Count)] = other; break;
            default: if (rng.Next(2) == 0 && node.Output.Count > 0) node.Output.Clear(); else node.Output.Add(other); break;
        }
    }

    private static void MutateTensor(TensorProto t, Random rng)
    {
        switch (rng.Next(6))
        {
            case 0 when t.Dims.Count > 0: t.Dims[rng.Next(t.Dims.Count)] = Edge(rng); break;
            case 1: if (rng.Next(2) == 0 && t.Dims.Count > 0) t.Dims.RemoveAt(t.Dims.Count - 1); else t.Dims.Add(rng.Next(2) == 0 ? 1 : Edge(rng)); break;
            case 2 when !t.RawData.IsEmpty: t.RawData = ByteString.CopyFrom(t.RawData.Span[..rng.Next(t.RawData.Length)]); break;
            case 3: t.DataType = rng.Next(17); break;
            case 4 when !t.RawData.IsEmpty && t.DataType == (int)TensorProto.Types.DataType.Float:
            {
                var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
                t.RawData = ByteString.Empty;
                t.FloatData.Add(floats.AsSpan(0, rng.Next(2) == 0 ? floats.Length : rng.Next(floats.Length + 1)).ToArray());
                break;
            }
            default: t.DataLocation = TensorProto.Types.DataLocation.External; break;
        }
    }
}
