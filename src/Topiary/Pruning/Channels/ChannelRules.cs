// ChannelRules: how each kind of layer relates the channels of its inputs and outputs (the table in
// ChannelDependencies' header). One method per kind; anything not listed is Opaque.
using Topiary.Nn;

namespace Topiary.Pruning.Channels;

public sealed partial class ChannelDependencies
{
    private void Visit(DataflowStep step, int index)
    {
        var x = step.Inputs.Length > 0 ? _channels[step.Inputs[0]] : null;
        var inShape = step.Inputs.Length > 0 ? Flow.Tensors[step.Inputs[0]].Shape : [];
        switch (step.Module)
        {
            case Conv2d conv:
                VisitConv(step, index, conv, x);
                return;
            case Linear linear:
                if (x is null || inShape.Length != 2 || x.Width != linear.InFeatures)
                {
                    Opaque(step, $"Linear reads a tensor of shape {Shape(inShape)} whose features are not channels of one producer");
                    return;
                }
                Consume(x, step.Name, linear.Weight, x.Block);
                Produce(step, index, linear.Weight, linear.Bias);
                return;
            case BatchNorm bn:
                if (x is { Block: > 1 })
                {
                    Opaque(step, "BatchNorm normalises single features of flattened channels");
                    return;
                }
                if (!Alias(step, x)) return;
                for (int i = 0; i < x!.Slots.Length; i++)
                {
                    AddSlice(x.Slots[i], new ChannelSlice(step.Name, bn.Weight, SliceRole.NormScale, SliceKind.Rows, i, 1));
                    AddSlice(x.Slots[i], new ChannelSlice(step.Name, bn.Bias, SliceRole.NormShift, SliceKind.Rows, i, 1));
                }
                return;
            case PointwiseActivation or Dropout or Identity or Pool2d or GlobalAvgPool2d or GlobalMaxPool2d:
                Alias(step, x);
                return;
            case Flatten { Axis: 1 }:
            case Reshape r when IsFlatten(r, inShape, Flow.Tensors[step.Outputs[0]].Shape):
                if (x is null || inShape.Length < 3)
                {
                    Alias(step, x);
                    return;
                }
                int spatial = 1;
                for (int a = 2; a < inShape.Length; a++) spatial *= inShape[a];
                _channels[step.Outputs[0]] = new TensorChannels(x.Slots, x.Block * spatial);
                return;
            case ReduceMean rm when !rm.Axes.Select(a => Normalize(a, inShape.Length)).Any(a => a <= 1):
            case SoftmaxBase sm when !sm.CoerceTo2D && Normalize(sm.Axis, inShape.Length) > 1:
            case Pad p when p.Pads.Count == 2 * inShape.Length && p.Pads[1] == 0 && p.Pads[inShape.Length + 1] == 0:
            case Slice sl when !sl.Axes.Select(a => Normalize((int)a, inShape.Length)).Any(a => a <= 1):
                Alias(step, x);
                return;
            case ElementwiseOp:
                VisitJoin(step);
                return;
            case Cat cat:
                if (Normalize(cat.Axis, inShape.Length) == 1) VisitCat(step);
                else VisitJoin(step);
                return;
            case Split split:
                VisitSplit(step, split, x, inShape);
                return;
            default:
                Opaque(step, $"{step.Module.GetType().Name} is not a per-channel operation");
                return;
        }
    }

    private void VisitConv(DataflowStep step, int index, Conv2d conv, TensorChannels? x)
    {
        if (x is null || x.Block != 1)
        {
            Opaque(step, "Conv2d reads a tensor whose channels are not analysed");
            return;
        }
        if (conv.Groups == 1)
        {
            Consume(x, step.Name, conv.Weight, conv.KernelSize.H * conv.KernelSize.W);
            Produce(step, index, conv.Weight, conv.Bias);
            return;
        }
        if (conv.IsDepthwise && conv.OutChannels == conv.Groups)
        {
            Alias(step, x);
            for (int i = 0; i < x.Slots.Length; i++)
            {
                AddSlice(x.Slots[i], new ChannelSlice(step.Name, conv.Weight, SliceRole.Weight, SliceKind.Rows, i, 1));
                if (conv.Bias is not null) AddSlice(x.Slots[i], new ChannelSlice(step.Name, conv.Bias, SliceRole.Bias, SliceKind.Rows, i, 1));
            }
            return;
        }
        Opaque(step, $"grouped convolution (groups = {conv.Groups}, {conv.InChannels} → {conv.OutChannels} channels) keeps its channel counts per group");
    }

    // Add/Sub/Mul/Div, and Cat/Split off axis 1: inputs with the output's channel count are joined position-wise.
    private void VisitJoin(DataflowStep step)
    {
        var outShape = Flow.Tensors[step.Outputs[0]].Shape;
        if (outShape.Length < 2)
        {
            foreach (int i in step.Inputs) PinTensor(i, $"'{step.Name}' reads them into a tensor without channels");
            return;
        }
        TensorChannels? first = null;
        foreach (int i in step.Inputs)
        {
            var shape = Flow.Tensors[i].Shape;
            int axis = 1 - (outShape.Length - shape.Length);
            if (axis < 0 || shape[axis] != outShape[1] || outShape[1] == 1) continue; // broadcast: no coupling
            if (Flow.Tensors[i].IsConstant) continue;                                 // sliced by the remover
            if (axis != 1 || _channels[i] is not { } ch)
            {
                Opaque(step, $"input {Shape(shape)} is aligned with the output's channels but has none of its own");
                return;
            }
            if (first is null) first = ch;
            else if (first.Block != ch.Block)
            {
                Opaque(step, "its inputs have channels of different widths");
                return;
            }
            else for (int k = 0; k < ch.Slots.Length; k++) Union(first.Slots[k], ch.Slots[k]);
        }
        foreach (int o in step.Outputs)
            _channels[o] = first ?? NewChannels(o, $"'{step.Name}' gives them a constant's or a broadcast input's channels");
    }

    private void VisitCat(DataflowStep step)
    {
        var parts = step.Inputs.Select(i => _channels[i]).ToList();
        if (parts.Any(p => p is null) || parts.Select(p => p!.Block).Distinct().Count() != 1)
        {
            Opaque(step, "Cat on axis 1 of inputs whose channels are not analysed or differ in width");
            return;
        }
        _channels[step.Outputs[0]] = new TensorChannels(parts.SelectMany(p => p!.Slots).ToArray(), parts[0]!.Block);
    }

    private void VisitSplit(DataflowStep step, Split split, TensorChannels? x, int[] inShape)
    {
        if (Normalize(split.Axis, inShape.Length) != 1)
        {
            VisitJoin(step);
            return;
        }
        if (x is null || split.Sizes.Any(s => s % x.Block != 0))
        {
            Opaque(step, "Split on axis 1 cuts through a channel's features");
            return;
        }
        int offset = 0;
        for (int o = 0; o < step.Outputs.Length; o++)
        {
            int count = split.Sizes[o] / x.Block;
            _channels[step.Outputs[o]] = new TensorChannels(x.Slots[offset..(offset + count)], x.Block);
            offset += count;
        }
    }

    private bool Alias(DataflowStep step, TensorChannels? x)
    {
        var outShape = Flow.Tensors[step.Outputs[0]].Shape;
        if (x is null || outShape.Length < 2 || outShape[1] != x.Width)
        {
            if (x is not null || outShape.Length >= 2) Opaque(step, "its output's channels do not match its input's");
            return false;
        }
        _channels[step.Outputs[0]] = x;
        return true;
    }

    private void Consume(TensorChannels x, string layer, Parameter weight, int block)
    {
        for (int i = 0; i < x.Slots.Length; i++)
            AddSlice(x.Slots[i], new ChannelSlice(layer, weight, SliceRole.Weight, SliceKind.Columns, i, block));
    }

    private void Produce(DataflowStep step, int index, Parameter weight, Parameter? bias)
    {
        var ch = NewChannels(step.Outputs[0], null)!;
        _channels[step.Outputs[0]] = ch;
        for (int i = 0; i < ch.Slots.Length; i++)
        {
            _producers.Add((ch.Slots[i], step.Name, index, i));
            AddSlice(ch.Slots[i], new ChannelSlice(step.Name, weight, SliceRole.Weight, SliceKind.Rows, i, 1));
            if (bias is not null) AddSlice(ch.Slots[i], new ChannelSlice(step.Name, bias, SliceRole.Bias, SliceKind.Rows, i, 1));
        }
    }

    private void AddSlice(int slot, ChannelSlice slice) => _slices.Add((slot, slice));

    // A Reshape [N, C, ...] → [N, C·...]: the spec [0 or N, −1] of PyTorch's x.view(x.size(0), −1), or the explicit
    // [1, 2048] / [−1, 2048] of exporters that fold the shape (ONNX zoo ResNet-50, Inception); ChannelRemover rewrites
    // an explicit spec to [0, −1] when channels go, so it stays right when C shrinks.
    internal static bool IsFlatten(Reshape r, int[] inShape, int[] outShape)
    {
        if (inShape.Length < 3 || outShape.Length != 2 || r.Shape.Count != 2 || outShape[0] != inShape[0]) return false;
        long rest = 1;
        for (int i = 1; i < inShape.Length; i++) rest *= inShape[i];
        return outShape[1] == rest && (r.Shape[1] == -1 ? r.Shape[0] >= 0 : r.Shape[1] == rest);
    }

    private static int Normalize(int axis, int rank) => axis < 0 ? axis + rank : axis;

    private static string Shape(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
