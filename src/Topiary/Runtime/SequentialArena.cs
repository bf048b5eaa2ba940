// SequentialArena: one ActivationArena for the activations of a fused model built of modules rather than a Graph — the
// code-built networks (ResNet-50's Sequential of FusedResidual blocks, SqueezeNet's Concat fire modules, MobileNet-v2's
// channels-last stacks), as GraphArena does for a Graph's nodes.
//
// The model is walked in execution order. Sequential children run one after the other; a FusedResidual or Residual
// runs its body and its shortcut on the block input, then its last layer (or its own add) reads both; a Concat runs
// every branch on its input and then reads all their outputs. A layer that is an IArenaOutput writes a new value into
// a slot (ActivationPlan, by liveness, the most recently freed slot first); any other layer (Flatten, Dropout at
// inference, Identity — or a container this walk does not know, whose layers keep outputs of their own) may return its
// input or a view of it, so its output counts as its input: reading it keeps that input's slot alive. The values the
// model returns keep their writer's own output, and so does a layer instance that runs at two places in the model (one
// seat cannot hold two values).
using Topiary.Nn;

namespace Topiary.Runtime;

/// <summary>Places a module tree's activations in one arena by liveness.</summary>
internal static class SequentialArena
{
    /// <summary>Places every layer of <paramref name="model"/> that can write into an arena slot; the arena, or null when
    /// none could be placed.</summary>
    public static ActivationArena? Apply(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plan = new ActivationPlan();
        var once = ActivationPlan.UsedOnce(model.NamedModules().Select(m => m.Module));
        foreach (int value in Record(plan, model, [], once)) plan.Return(value);
        return plan.Apply();
    }

    // Records m's layers in execution order, m reading `input` (the values its input may be); returns the values its
    // output may be.
    private static int[] Record(ActivationPlan plan, Module m, int[] input, HashSet<Module> once)
    {
        switch (m)
        {
            case Sequential s:
                for (int k = 0; k < s.Count; k++) input = Record(plan, s[k], input, once);
                return input;
            case FusedResidual block:
                return Write(plan, block.Last, Both(plan, block.Prefix, block.Shortcut, input, once), once);
            case Residual block:
                return Write(plan, block, Both(plan, block.Body, block.Shortcut, input, once), once);
            case Concat concat:
                return Write(plan, concat, concat.Branches.SelectMany(b => Record(plan, b, input, once)).Distinct().ToArray(), once);
            default:
                return Write(plan, m, input, once);
        }
    }

    // The values a block's body (or prefix) and shortcut give, each run on the block input (null: the input itself).
    private static int[] Both(ActivationPlan plan, Module? body, Module? shortcut, int[] input, HashSet<Module> once)
    {
        int[] b = body is null ? input : Record(plan, body, input, once);
        int[] s = shortcut is null ? input : Record(plan, shortcut, input, once);
        return b.Union(s).ToArray();
    }

    // A layer reading `reads`: a new value when it can live in a slot (and runs at one place only); else its output may
    // be any of what it read.
    private static int[] Write(ActivationPlan plan, Module layer, int[] reads, HashSet<Module> once)
    {
        if (layer is IArenaOutput { Placeable: true } writer && once.Contains(layer)) return [plan.Add(writer, reads)];
        plan.Add(null, reads);
        return reads;
    }
}
