// ActivationPlan and ActivationArena: slots by liveness — a chain needs two, a residual block three (MobileNet-v2's
// stack, its blocks banded, two); a writer never
// gets a slot one of its inputs is in, and takes the most recently freed one; a value nobody reads frees its slot at
// once; the arena hands out views over a slot, grown to the largest tensor, whose Length, Span, Clone and Reshape are
// the view's, not the array's.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Runtime;

public class ActivationPlanTests
{
    private sealed class Writer : IArenaOutput
    {
        public int Slot { get; private set; } = -1;

        public ActivationArena? Arena { get; private set; }

        public void Place(ActivationArena arena, int slot) => (Arena, Slot) = (arena, slot);
    }

    [Fact]
    public void A_chain_alternates_two_slots()
    {
        var plan = new ActivationPlan();
        var w = Enumerable.Range(0, 5).Select(_ => new Writer()).ToArray();
        int v = ActivationPlan.Outside;
        foreach (var writer in w) v = plan.Add(writer, v);
        plan.Add(null, v); // the transpose back: read, no slot
        var arena = plan.Apply();
        Assert.Equal(2, arena!.Slots);
        Assert.Equal([0, 1, 0, 1, 0], w.Select(x => x.Slot));
        Assert.All(w, x => Assert.Same(arena, x.Arena));
    }

    [Fact]
    public void A_residual_block_keeps_its_input_until_the_add_and_reuses_the_latest_freed_slot()
    {
        var plan = new ActivationPlan();
        Writer stem = new(), expand = new(), depthwise = new(), project = new(), next = new(), unread = new();
        int x = plan.Add(stem, ActivationPlan.Outside);
        int e = plan.Add(expand, x);
        int d = plan.Add(depthwise, e);
        int p = plan.Add(project, d, x);   // reads the body and the block input
        plan.Add(unread, p);               // nobody reads it: its slot is free again at once
        plan.Add(next, p);
        plan.Apply();
        Assert.Equal((0, 1, 2), (stem.Slot, expand.Slot, depthwise.Slot));
        Assert.Equal(1, project.Slot);     // expand's slot, freed after the depthwise layer read it; not its inputs'
        Assert.Equal(0, unread.Slot);      // the latest freed: after project, its inputs' (depthwise's, then the block input's)
        Assert.Equal(0, next.Slot);        // the unread value's slot, free again at once
    }

    [Fact]
    public void A_plan_without_writers_has_no_arena()
    {
        var plan = new ActivationPlan();
        plan.Add(null, ActivationPlan.Outside);
        Assert.Null(plan.Apply());
    }

    [Fact]
    public void Arena_views_grow_their_slot_and_behave_as_tensors_of_their_shape()
    {
        var arena = new ActivationArena(2);
        var big = Tensor.View(arena.Storage(0, 24), 2, 3, 4);
        big.Fill(1f);
        var small = Tensor.View(arena.Storage(0, 10), 2, 5);
        Assert.Same(big.Data, small.Data);
        Assert.Equal(10, small.Length);
        Assert.InRange(small.Data.Length, 24, 24 + 15);
        Assert.Equal(10, small.Span.Length);
        Assert.Equal(10, small.Clone().Data.Length);
        Assert.Equal([5, 2], small.Reshape(5, 2).Shape);
        small.Fill(2f);
        Assert.Equal(1f, big.Data[10]); // beyond the view: untouched
        Assert.True(arena.Storage(0, 25).Length >= 25);
        Assert.True(arena.Storage(1, 21).Length >= 21); // (a cache-line start is best effort: speed only)
        Assert.InRange(arena.Floats, 25 + 21, 25 + 21 + 30); // each slot up to 15 floats longer, for its alignment
        Assert.Throws<ArgumentOutOfRangeException>("slot", () => arena.Storage(2, 1));
        Assert.Throws<ArgumentOutOfRangeException>("slots", () => new ActivationArena(-1));
        Assert.Throws<ArgumentOutOfRangeException>("slot", () => ((IArenaOutput)new ReLU()).Place(arena, 2));
    }

    [Fact]
    public void MobileNet_v2_channels_last_stack_runs_in_two_slots()
    {
        // Stem → s0, the first block's depthwise → s1 and projection → s0, then every banded block from one slot to the other.
        var fused = InferenceGraph.Fuse(Topiary.Models.MobileNetV2.Create(seed: 3), [1, 28, 28]);
        var arenas = fused.Model.NamedModules().Select(m => m.Module)
            .Select(m => m switch { BandedSeparableBlock b => b.Arena, ChannelsLastConv2d { Arena: { } a } => a, _ => null })
            .OfType<ActivationArena>().Distinct().ToArray();
        Assert.Equal(2, Assert.Single(arenas).Slots);
    }
}
