// OnnxGraphImport: one import run — checks the operators, reads the inputs, then visits the nodes in a topological
// order: Constant nodes and nodes whose inputs are all known are computed (OnnxConstantFolder), Shape of a computed
// tensor becomes a known shape list (batch entry marked), every other node becomes layers (OnnxNodeConverter). The
// graph outputs keep the file's names; a pure chain becomes a Sequential (OnnxChain).
using System.Globalization;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal sealed class OnnxGraphImport(string file, ModelProto model, OnnxImportOptions options)
{
    public (Module Model, OnnxImportInfo Info) Run()
    {
        var graph = model.Graph;
        var index = new OnnxGraphIndex(file, graph);
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        CheckOperators(graph);
        var ctx = new OnnxImportContext(file, opset);
        foreach (var t in index.Constants) ctx.SetKnown(t.Key, OnnxConstant.FromProto(t.Value, file));
        foreach (var i in graph.Input) ctx.ReserveTensor(i.Name);
        foreach (var t in graph.Initializer) ctx.ReserveTensor(t.Name);
        foreach (var node in graph.Node)
        {
            foreach (var o in node.Output) ctx.ReserveTensor(o);
            foreach (var i in node.Input) if (i.Length > 0) ctx.ReadCount[i] = ctx.ReadCount.GetValueOrDefault(i) + 1;
        }
        foreach (var o in graph.Output)
        {
            ctx.GraphOutputs.Add(o.Name);
            ctx.ReadCount[o.Name] = ctx.ReadCount.GetValueOrDefault(o.Name) + 1;
        }
        if (graph.Output.Count == 0) throw new InvalidDataException($"{file}: the graph has no outputs.");

        var inputs = new List<OnnxTensorInfo>();
        foreach (var input in graph.Input.Where(i => !index.IsConstant(i.Name)))
        {
            if (!ctx.ReadCount.ContainsKey(input.Name)) continue; // declared but unused
            var shape = InputShape(input);
            inputs.Add(new OnnxTensorInfo(input.Name, shape));
            ctx.AddInput(input.Name, new Tensor([1, .. shape.Skip(1)]));
        }
        if (inputs.Count == 0) throw new NotSupportedException($"{file}: the graph has no data input (every input is a constant).");

        foreach (var node in TopologicalOrder(graph, index))
        {
            var view = new OnnxNodeView(node, file);
            try
            {
                Visit(ctx, view);
            }
            catch (ArgumentException e)
            {
                throw view.Unsupported(e.Message);
            }
        }

        var outputs = new List<string>();
        foreach (var o in graph.Output)
        {
            string r = ctx.Resolve(o.Name);
            if (!ctx.IsRuntime(r))
                throw new NotSupportedException($"{file}: graph output '{o.Name}' is a constant (it does not depend on the inputs); such outputs are not supported.");
            if (r != o.Name) Rename(ctx, r, o.Name, inputs.Select(i => i.Name).Concat(outputs));
            outputs.Add(o.Name);
        }
        Graph net;
        try
        {
            net = new Graph(inputs.Select(i => i.Name), ctx.Nodes, outputs, ctx.GraphConstants);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file}: the graph's tensors do not form a valid model: {e.Message}", e);
        }
        var last = graph.Node.LastOrDefault(n => n.Output.Contains(graph.Output[0].Name));
        var info = new OnnxImportInfo(file, model.ProducerName, model.ProducerVersion, model.IrVersion, opset, inputs[0].Name, outputs[0],
            inputs[0].Shape.Skip(1).ToArray(), last?.OpType == "Softmax", ctx.ParameterSources, ctx.BufferSources)
        {
            SparseInitializers = index.SparseNames,
            Inputs = inputs,
            Outputs = outputs,
            OutputActivation = last?.OpType is "Softmax" or "LogSoftmax" ? last.OpType : null,
        };
        return (OnnxChain.ToSequential(net) ?? (Module)net, info);
    }

    private static void Visit(OnnxImportContext ctx, OnnxNodeView n)
    {
        var node = n.Node;
        if (node.OpType == "Constant") return; // read into the known tensors by OnnxGraphIndex
        var known = new List<OnnxConstant?>();
        bool allKnown = true;
        for (int i = 0; i < node.Input.Count; i++)
        {
            string name = node.Input[i];
            if (name.Length == 0)
            {
                known.Add(null);
                continue;
            }
            var c = ctx.Known(name);
            allKnown &= c is not null;
            known.Add(c);
        }
        if (node.OpType is "Shape" or "Size" && ctx.IsRuntime(n.Input(0)))
        {
            ctx.SetKnown(node.Output[0], ShapeOf(ctx, n));
            return;
        }
        if (allKnown && OnnxConstantFolder.Foldable.Contains(node.OpType))
        {
            var results = OnnxConstantFolder.Fold(n, known, ctx.Opset);
            for (int i = 0; i < node.Output.Count && i < results.Length; i++)
                if (node.Output[i].Length > 0) ctx.SetKnown(node.Output[i], results[i]);
            return;
        }
        if (!OnnxNodeConverter.Supported.Contains(node.OpType))
            throw n.Unsupported("the operator can only be computed at import here, but an input depends on the model's input");
        OnnxNodeConverter.Convert(ctx, n);
    }

    // Shape (or Size) of a computed tensor: its probe shape, the batch entry marked.
    private static OnnxConstant ShapeOf(OnnxImportContext ctx, OnnxNodeView n)
    {
        var probe = ctx.Probe(n.Input(0));
        int batch = ctx.BatchAxis(n.Input(0));
        if (n.OpType == "Size")
            return OnnxConstant.Int64([], [probe.Length], batch >= 0 ? [DimMark.Unknown] : null);
        int rank = probe.Rank;
        int start = (int)n.Int("start", 0), end = (int)n.Int("end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        var dims = new List<long>();
        var marks = new List<DimMark>();
        for (int d = start; d < end; d++)
        {
            dims.Add(probe.Dim(d));
            marks.Add(d == batch ? DimMark.Batch : DimMark.Known);
        }
        return OnnxConstant.Int64([dims.Count], dims, [.. marks]);
    }

    // Every operator must be of the default domain and either convertible or computable at import; all offenders are
    // listed in one message.
    private void CheckOperators(GraphProto graph)
    {
        var bad = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            bool defaultDomain = node.Domain is "" or "ai.onnx";
            bool known = defaultDomain && (node.OpType == "Constant" || OnnxNodeConverter.Supported.Contains(node.OpType) || OnnxConstantFolder.Foldable.Contains(node.OpType));
            if (known || !seen.Add(node.Domain + "::" + node.OpType)) continue;
            bad.Add(defaultDomain ? $"{node.OpType} (node '{node.Name}')" : $"{node.OpType} (node '{node.Name}', domain {node.Domain})");
        }
        if (bad.Count > 0)
            throw new NotSupportedException($"{file}: unsupported operator{(bad.Count > 1 ? "s" : "")}: {string.Join(", ", bad)} (OnnxImporter.SupportedOperators and the README list the supported ones).");
    }

    // The input's full shape, batch first (-1 when symbolic). Other symbolic dims need OnnxImportOptions.InputShapes.
    private int[] InputShape(ValueInfoProto input)
    {
        var tensorType = input.Type?.TensorType
            ?? throw new NotSupportedException($"{file}: input '{input.Name}' is not a tensor (sequence and map inputs are not supported).");
        if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException($"{file}: input '{input.Name}' has element type {OnnxTensors.DataTypeName(tensorType.ElemType)}; only FLOAT is supported.");
        options.InputShapes.TryGetValue(input.Name, out var given);
        var dims = tensorType.Shape?.Dim;
        if (given is not null)
        {
            if (given.Any(d => d < 1)) throw new ArgumentException($"input '{input.Name}': shape {Tensor.ShapeString(given)} must be positive.");
            if (dims is not null && dims.Count != given.Length + 1)
                throw new ArgumentException($"input '{input.Name}': the file gives rank {dims.Count}; shape {Tensor.ShapeString(given)} (without the batch) has rank {given.Length + 1} with it.");
            CheckSize(input.Name, given);
            return [-1, .. given];
        }
        if (dims is null || dims.Count == 0)
            throw new NotSupportedException($"{file}: input '{input.Name}' has no static shape; give its per-example shape (OnnxImportOptions.InputShapes, --input-shape).");
        var shape = new int[dims.Count];
        // A static batch in the file is recorded (export writes it back); the imported model runs at any batch.
        shape[0] = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue is >= 1 and <= int.MaxValue
            ? (int)dims[0].DimValue : -1;
        for (int i = 1; i < dims.Count; i++)
        {
            if (dims[i].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dims[i].DimValue < 1 || dims[i].DimValue > int.MaxValue)
                throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
                    $"{file}: input '{input.Name}' dimension {i} is symbolic ('{dims[i].DimParam}'); give its per-example shape (OnnxImportOptions.InputShapes, --input-shape)."));
            shape[i] = (int)dims[i].DimValue;
        }
        CheckSize(input.Name, shape[1..]);
        return shape;
    }

    private void CheckSize(string name, int[] perExample)
    {
        long elements = 1;
        foreach (int d in perExample) elements = Math.Min(elements * d, long.MaxValue / int.MaxValue);
        if (elements > OnnxImporter.MaxExampleElements)
            throw new NotSupportedException(
                $"{file}: input '{name}' has shape {Tensor.ShapeString(perExample)} per example ({elements} values or more); the importer supports at most {OnnxImporter.MaxExampleElements}.");
    }

    // Kahn's algorithm, stable in file order (the index has already refused cycles).
    private static List<NodeProto> TopologicalOrder(GraphProto graph, OnnxGraphIndex index)
    {
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in graph.Node) foreach (var o in n.Output) if (o.Length > 0) produced.Add(o);
        var available = new HashSet<string>(StringComparer.Ordinal);
        var pending = graph.Node.ToList();
        var order = new List<NodeProto>(pending.Count);
        while (pending.Count > 0)
        {
            int k = pending.FindIndex(n => n.Input.All(i => i.Length == 0 || available.Contains(i) || !produced.Contains(i) || index.IsConstant(i)));
            if (k < 0) k = 0;
            var node = pending[k];
            pending.RemoveAt(k);
            order.Add(node);
            foreach (var o in node.Output) available.Add(o);
        }
        return order;
    }

    // Gives the run-time tensor `from` the graph-output name `to`: renamed where a node writes it, else copied by an Identity.
    private static void Rename(OnnxImportContext ctx, string from, string to, IEnumerable<string> keep)
    {
        int producer = ctx.ProducerIndex(from);
        bool free = producer >= 0 && !keep.Contains(from) && !ctx.GraphOutputs.Contains(from) && !ctx.GraphConstants.Any(c => c.Key == from);
        if (!free)
        {
            ctx.Nodes.Add(new GraphNode(ctx.Unique(to + ".identity"), new Identity(), from, to));
            return;
        }
        for (int i = 0; i < ctx.Nodes.Count; i++)
        {
            var n = ctx.Nodes[i];
            if (!n.Inputs.Contains(from) && !n.Outputs.Contains(from)) continue;
            ctx.Nodes[i] = n with
            {
                Inputs = n.Inputs.Select(t => t == from ? to : t).ToArray(),
                Outputs = n.Outputs.Select(t => t == from ? to : t).ToArray(),
            };
        }
    }
}
