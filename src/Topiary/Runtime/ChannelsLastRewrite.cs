// ChannelsLastRewrite: runs a fused model's depthwise-separable stacks channels last ([N, H, W, C]), as ONNX Runtime's
// NCHWc transformer does with its blocked layout. Channels first, a depthwise convolution vectorises along a row
// (MobileNet's 7×7 and 14×14 planes leave most lanes idle, stride 2 has to de-interleave) and a 1×1 convolution is a
// GEMM whose columns are the plane (49 positions fill two 32-wide panels to 77 %); channels last, the depthwise kernel
// takes 16 channels per vector and the 1×1 GEMM's rows are the positions and its columns the channels.
//
// Inside every Sequential of the fused copy (parents first), a run of consecutive children that can all run channels
// last becomes channels last when it holds at least one depthwise and one other convolution (otherwise the layout
// buys nothing). What can run channels last:
//   a FusedConv2d that is depthwise (multiplier 1, no residual) or pointwise (1×1, stride 1, no padding, groups 1);
//   a Sequential of such children;
//   a FusedResidual with the identity shortcut whose prefix and last layer can (the residual is then channels last too).
// The run's first child may instead read the channels-first input: any groups-1 FusedConv2d without a residual (a stem
// 3×3 convolution, or a Sequential starting with one), which then computes its output channels last directly;
// otherwise a LayoutChange to channels last goes before the run. A LayoutChange back to channels first follows it,
// or, when a GlobalAvgPool2d follows the run, that becomes a ChannelsLastGlobalAvgPool (same output, no transpose).
//
// In a Graph (an imported ONNX model), the candidates are the FusedConv2d nodes that can run channels last; a node
// that reads a candidate's output (as its input, or as its residual) through a channels-last-capable slot joins the
// candidate's group, and a group runs channels last when it holds a depthwise and another convolution. A converted node
// writes "<tensor>.channels_last"; a LayoutChange node writes the original tensor back channels first right after it
// when anything else reads it (a node left channels first, an entry node, a graph output), so those readers are
// unchanged — except a GlobalAvgPool2d, which becomes a ChannelsLastGlobalAvgPool reading the channels-last tensor; a
// channels-first tensor a converted node needs channels last (a depthwise layer's input, a residual) is transposed
// once, before its first such reader (ChannelsLastRewrite.Graph.cs).
//
// A Sequential run's channels-last activations share one ActivationArena, slots assigned by liveness over the
// execution order (ActivationPlan); a Graph's activations, these among them, share the graph's arena (GraphArena).
// An expand → depthwise → project chain (an inverted-residual block, with or without its residual; in a Graph, with
// no other reader of its inner tensors) runs band by band (BandedSeparableBlock), and so does a depthwise → project
// pair in a Sequential (a block without an expansion).
using Topiary.Nn;

namespace Topiary.Runtime;

/// <summary>Rewrites a fused model's depthwise-separable stacks to run channels last.</summary>
internal static partial class ChannelsLastRewrite
{
    // Convolutions a subtree holds: depthwise, and the others (GEMMs).
    private readonly record struct Census(int Depthwise, int Others)
    {
        public static Census operator +(Census a, Census b) => new(a.Depthwise + b.Depthwise, a.Others + b.Others);

        public int Total => Depthwise + Others;
    }

    /// <summary>Rewrites every qualifying run in <paramref name="model"/> in place; returns the convolutions now channels last.</summary>
    public static int Apply(Module model)
    {
        int converted = 0;
        foreach (var seq in model.NamedModules().Select(m => m.Module).OfType<Sequential>().ToArray())
            converted += Rewrite(seq);
        return converted;
    }

    private static int Rewrite(Sequential seq)
    {
        int converted = 0;
        for (int i = 0; i < seq.Count;)
        {
            // The first child reads the channels-first input itself when it can (no transpose), else after one.
            var first = Survey(seq[i], entry: true);
            bool entry = first is not null;
            if ((first ?? Survey(seq[i], entry: false)) is not { } census)
            {
                i++;
                continue;
            }
            int j = i + 1;
            for (; j < seq.Count && Survey(seq[j], entry: false) is { } more; j++) census += more;
            if (census.Depthwise == 0 || census.Others == 0)
            {
                i = j;
                continue;
            }
            for (int k = i; k < j; k++) seq.ReplaceRange(k, 1, Convert(seq[k], entry && k == i));
            string firstName = NameAt(seq, i), lastName = NameAt(seq, j - 1);
            // Back to channels first — or, when the run is pooled next, pooled channels last (the same [N, C, 1, 1]).
            if (j < seq.Count && seq[j] is GlobalAvgPool2d) seq.ReplaceRange(j, 1, new ChannelsLastGlobalAvgPool());
            else seq.Insert(j, $"{lastName}_to_channels_first", new LayoutChange(toChannelsLast: false));
            if (!entry)
            {
                seq.Insert(i, $"{firstName}_to_channels_last", new LayoutChange(toChannelsLast: true));
                j++;
            }
            // The run's activations in one arena: from its first layer (or transpose) to the transpose back.
            var plan = new ActivationPlan();
            int value = ActivationPlan.Outside;
            for (int k = i; k <= j; k++) value = Record(plan, seq[k], value);
            plan.Apply();
            converted += census.Total;
            i = j + 1;
        }
        return converted;
    }

    // The channels-last convolutions of a chain of them (nested Sequentials), or null when m is anything else.
    private static List<ChannelsLastConv2d>? Chain(Module m)
    {
        if (m is ChannelsLastConv2d conv) return [conv];
        if (m is not Sequential s) return null;
        var chain = new List<ChannelsLastConv2d>();
        for (int k = 0; k < s.Count; k++)
        {
            if (Chain(s[k]) is not { } part) return null;
            chain.AddRange(part);
        }
        return chain;
    }

    // [expand (1×1) →] depthwise → project (1×1) reading channels last: a block to run band by band.
    private static bool Bandable(ChannelsLastConv2d? expand, ChannelsLastConv2d depthwise, ChannelsLastConv2d project) =>
        (expand is null || (!expand.IsDepthwise && !expand.ReadsChannelsFirst && !expand.HasResidual)) && depthwise.IsDepthwise
        && !project.IsDepthwise && !project.ReadsChannelsFirst;

    // Records m's layers in execution order, m reading `input`; returns the value m writes.
    private static int Record(ActivationPlan plan, Module m, int input)
    {
        switch (m)
        {
            case Sequential s:
                for (int k = 0; k < s.Count; k++) input = Record(plan, s[k], input);
                return input;
            case FusedResidual r:
                int body = r.Prefix is null ? input : Record(plan, r.Prefix, input);
                return plan.Add((IArenaOutput)r.Last, body, input);
            case LayoutChange { ToChannelsLast: false } or ChannelsLastGlobalAvgPool:
                return plan.Add(null, input);
            default:
                return plan.Add((IArenaOutput)m, input);
        }
    }

    private static string NameAt(Sequential seq, int index) => seq.NamedChildren().ElementAt(index).Name;

    // The convolutions of m when all of it can run channels last (its first layer reading channels first when
    // `entry`), or null when it cannot.
    private static Census? Survey(Module m, bool entry) => m switch
    {
        FusedConv2d f when ChannelsLastConv2d.Supports(f, entry) => f.Conv.IsDepthwise ? new Census(1, 0) : new Census(0, 1),
        Sequential { Count: > 0 } s => SurveySequence(s, entry),
        FusedResidual { Shortcut: null, Last: FusedConv2d last } r when !entry =>
            (r.Prefix is null ? new Census() : Survey(r.Prefix, false)) + Survey(last, false),
        _ => null,
    };

    private static Census? SurveySequence(Sequential s, bool entry)
    {
        Census? census = new Census();
        for (int k = 0; k < s.Count && census is not null; k++) census += Survey(s[k], entry && k == 0);
        return census;
    }

    // The channels-last form of a surveyed subtree (Sequentials are rewritten in place).
    private static Module Convert(Module m, bool entry)
    {
        switch (m)
        {
            case FusedConv2d f:
                return new ChannelsLastConv2d(f, entry);
            case Sequential s:
                for (int k = 0; k < s.Count; k++) s.ReplaceRange(k, 1, Convert(s[k], entry && k == 0));
                return Chain(s) switch
                {
                    [var expand, var depthwise, var project] when Bandable(expand, depthwise, project) =>
                        new BandedSeparableBlock(expand, depthwise, project, residual: false),
                    [var depthwise, var project] when Bandable(null, depthwise, project) =>
                        new BandedSeparableBlock(null, depthwise, project, residual: false),
                    _ => s,
                };
            case FusedResidual r:
                var prefix = r.Prefix is null ? null : Convert(r.Prefix, false);
                var last = (GraphOp)Convert(r.Last, false);
                if (prefix is not null && last is ChannelsLastConv2d p)
                {
                    if (Chain(prefix) is [var e, var d] && Bandable(e, d, p)) return new BandedSeparableBlock(e, d, p, residual: true);
                    if (Chain(prefix) is [var dw] && Bandable(null, dw, p)) return new BandedSeparableBlock(null, dw, p, residual: true);
                }
                return new FusedResidual(prefix, last, null);
            default:
                throw new InvalidOperationException($"ChannelsLastRewrite: {m} was not surveyed as convertible.");
        }
    }
}
