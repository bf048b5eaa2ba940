// ChannelRemover: physically removes chosen channels of an analysed model, with every slice that goes with them
// (ChannelDependencies). For each tensor, the kept positions along axis 1 are those whose channel stays; each layer is
// cut to its tensors' kept positions:
//   Conv2d      weight rows (kept outputs) and input channels (kept inputs), bias; a depthwise conv's filters and groups
//   Linear      weight rows and input columns (H·W columns per channel after a Flatten), bias
//   BatchNorm   γ, β, running mean and variance
//   Split       the sizes of its parts along axis 1
//   Reshape     a flatten with an explicit size ([1, 2048]) becomes [0, −1]
//   Add/Mul/... per-channel constants of a Graph along their channel axis
// Parameters keep their identity (Parameter.Replace; masks cut with them, gradients reset), so optimizers must be
// recreated. Nothing is folded: the model's function is unchanged exactly when the removed channels contribute nothing
// (their producers' rows and biases, or their consumers' columns, are zero).
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;

namespace Topiary.Pruning.Channels;

/// <summary>Removes channels of a model in place.</summary>
public static class ChannelRemover
{
    /// <summary>
    /// Removes channels <paramref name="remove"/>[g] (indices into <see cref="ChannelGroup"/> g's channels) of the model
    /// analysed by <paramref name="deps"/>. The analysis is stale afterwards (analyse again to prune further).
    /// </summary>
    /// <exception cref="ArgumentException">A group is not one of <paramref name="deps"/>', an index is out of range, or every
    /// channel of a group would go.</exception>
    public static void Remove(ChannelDependencies deps, IReadOnlyDictionary<ChannelGroup, IReadOnlyCollection<int>> remove)
    {
        ArgumentNullException.ThrowIfNull(deps);
        ArgumentNullException.ThrowIfNull(remove);
        var classes = new HashSet<int>();
        foreach (var (group, channels) in remove)
        {
            if (!deps.Groups.Contains(group)) throw new ArgumentException($"Group '{group.Name}' is not a group of this analysis.", nameof(remove));
            foreach (int k in channels)
            {
                if (k < 0 || k >= group.Channels) throw new ArgumentException($"Channel {k} of group '{group.Name}' is outside [0, {group.Channels}).", nameof(remove));
                classes.Add(group.Classes[k]);
            }
            if (channels.Distinct().Count() == group.Channels)
                throw new ArgumentException($"Removing all {group.Channels} channels of '{group.Name}' would leave an empty layer; keep at least one.", nameof(remove));
        }
        Apply(deps, classes);
    }

    internal static void Apply(ChannelDependencies deps, IReadOnlySet<int> removed)
    {
        if (removed.Count == 0) return;
        var flow = deps.Flow;
        var keep = new int[]?[flow.Tensors.Count];
        for (int t = 0; t < keep.Length; t++)
        {
            if (deps.Channels(t) is not { } ch) continue;
            var kept = Enumerable.Range(0, ch.Slots.Length).Where(i => !removed.Contains(deps.ClassOf(ch.Slots[i]))).ToArray();
            if (kept.Length < ch.Slots.Length) keep[t] = kept;
        }
        foreach (var step in flow.Steps)
        {
            var keepIn = step.Inputs.Length > 0 ? keep[step.Inputs[0]] : null;
            var keepOut = keep[step.Outputs[0]];
            switch (step.Module)
            {
                case Conv2d conv when conv.IsDepthwise && conv.OutChannels == conv.Groups:
                    if (keepOut is null) break;
                    CutRows(conv.Weight, conv.Bias, keepOut);
                    conv.Groups = keepOut.Length;
                    break;
                case Conv2d conv:
                    if (keepOut is not null) CutRows(conv.Weight, conv.Bias, keepOut);
                    if (keepIn is not null) CutInputs(conv.Weight, keepIn, conv.KernelSize.H * conv.KernelSize.W);
                    break;
                case Linear linear:
                    if (keepOut is not null) CutRows(linear.Weight, linear.Bias, keepOut);
                    if (keepIn is not null) CutInputs(linear.Weight, keepIn, deps.Channels(step.Inputs[0])!.Block);
                    break;
                case BatchNorm bn:
                    if (keepOut is null) break;
                    CutRows(bn.Weight, bn.Bias, keepOut);
                    bn.RunningMean = ParameterSlicing.KeepRows(bn.RunningMean, keepOut);
                    bn.RunningVar = ParameterSlicing.KeepRows(bn.RunningVar, keepOut);
                    break;
                case Split split when keepIn is not null && step.Outputs.Any(o => keep[o] is not null):
                    int block = deps.Channels(step.Inputs[0])!.Block;
                    split.SetSizes(step.Outputs.Select((o, i) => keep[o] is { } k ? k.Length * block : split.Sizes[i]).ToArray());
                    break;
                case Reshape reshape when keepIn is not null && reshape.Shape is not [>= 0, -1]:
                    reshape.MakeFlatten();
                    break;
                case ElementwiseOp when keepOut is not null:
                    CutConstants(deps, step, keepOut);
                    break;
            }
        }
    }

    private static void CutRows(Parameter weight, Parameter? bias, int[] keep)
    {
        ParameterSlicing.KeepRows(weight, keep);
        if (bias is not null) ParameterSlicing.KeepRows(bias, keep);
    }

    private static void CutInputs(Parameter weight, int[] keep, int block)
    {
        int[] shape = weight.Value.Shape.ToArray();
        shape[1] = keep.Length * (shape.Length == 2 ? block : 1);
        ParameterSlicing.KeepBlocks(weight, keep, block, shape);
    }

    // A constant operand aligned with the output's channels ([C, 1, 1], [1, C, 1, 1] ...) loses the removed entries.
    private static void CutConstants(ChannelDependencies deps, DataflowStep step, int[] keepOut)
    {
        var flow = deps.Flow;
        int outRank = flow.Tensors[step.Outputs[0]].Shape.Length;
        int outChannels = flow.Tensors[step.Outputs[0]].Shape[1];
        int block = deps.Channels(step.Outputs[0])!.Block;
        foreach (int i in step.Inputs)
        {
            var t = flow.Tensors[i];
            int axis = 1 - (outRank - t.Shape.Length);
            if (!t.IsConstant || axis < 0 || t.Shape[axis] != outChannels || outChannels == 1) continue;
            var value = t.ConstantOwner!.Constants.First(c => c.Name == t.ConstantName).Value;
            t.ConstantOwner.ReplaceConstant(t.ConstantName!, KeepAlong(value, axis, keepOut, block));
        }
    }

    // Keeps blocks `keep` (each `block` wide) along `axis` of t.
    private static Tensor KeepAlong(Tensor t, int axis, int[] keep, int block)
    {
        var shape = t.Shape.ToArray();
        int outer = 1, inner = 1;
        for (int a = 0; a < axis; a++) outer *= shape[a];
        for (int a = axis + 1; a < shape.Length; a++) inner *= shape[a];
        int n = shape[axis];
        shape[axis] = keep.Length * block;
        var result = new Tensor(shape);
        int w = block * inner, dst = 0;
        for (int o = 0; o < outer; o++)
            foreach (int k in keep)
            {
                t.Data.AsSpan((o * n + k * block) * inner, w).CopyTo(result.Data.AsSpan(dst, w));
                dst += w;
            }
        return result;
    }
}
