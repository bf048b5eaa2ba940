// ActivationArena: storage shared by the activations of an inference stack (the channels-last stacks of
// ChannelsLastRewrite), as ONNX Runtime's memory planner shares its arena. Each activation of the stack is given a
// slot when the stack is built (ActivationPlan: by liveness over its execution order, the most recently freed slot
// first); at run time the layer writes a view of its slot's array (Tensor.View), grown to the largest tensor the slot
// holds (starting at a cache line where the allocator allows: ScratchArray.GrowAligned). So a layer writes into memory
// that was read a layer or two before and is still in cache, where layer-owned outputs would spread a MobileNet-v2's
// activations over ~20 MB, each written into lines long evicted (on this project's 2-core host that cost MobileNet-v2
// 1.7 ms of 10.7 per forward).
// A slot's previous tensor is overwritten when the slot is reused: the views are valid until their last reader in the
// stack has run, which is all a forward needs. One arena serves one model instance, one forward at a time.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Reusable storage slots for an inference stack's activations.</summary>
public sealed class ActivationArena
{
    private readonly float[][] _slots;

    /// <summary>An arena of <paramref name="slots"/> slots (storage is allocated at first use).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slots"/> is negative.</exception>
    public ActivationArena(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        _slots = new float[slots][];
        Array.Fill(_slots, []);
    }

    /// <summary>A value larger than this (8 MiB) is written into its layer's own tensor even when the layer is placed: no
    /// cache keeps it, so sharing its storage buys nothing, and at batch 16 SqueezeNet 1.0 with every value in slots ran
    /// at 0.95x ORT against 1.06x with its own arrays. Skipping the slot is always safe: it is simply not written.</summary>
    public const long MaxSlotFloats = 1 << 21;

    /// <summary>Number of slots.</summary>
    public int Slots => _slots.Length;

    /// <summary>Floats held by all slots.</summary>
    public long Floats => _slots.Sum(s => (long)s.Length);

    /// <summary>Slot <paramref name="slot"/>'s array, grown to at least <paramref name="count"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such slot.</exception>
    internal float[] Storage(int slot, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _slots.Length);
        float[]? storage = _slots[slot];
        if (storage.Length < count) _slots[slot] = ScratchArray.GrowAligned(ref storage, count, "ActivationArena");
        return _slots[slot];
    }
}

/// <summary>A layer whose output can live in an <see cref="ActivationArena"/> slot. Such a layer never returns one of
/// its inputs (or a view of one): its output is its own tensor until it is placed, a slot's view after.</summary>
internal interface IArenaOutput
{
    /// <summary>Writes the output into <paramref name="slot"/> of <paramref name="arena"/> from now on (inference calls).</summary>
    void Place(ActivationArena arena, int slot);

    /// <summary>Whether the layer can be placed (false: it writes somewhere else, such as a concatenation's slice).</summary>
    bool Placeable => true;
}

/// <summary>
/// Where a layer writes its output: a tensor of its own, or, once placed, a view of an arena slot at inference
/// (training always writes the layer's own tensor, which its backward pass reads). The view is kept while the slot's
/// storage and the shape stay the same, so a steady forward allocates nothing.
/// </summary>
internal struct OutputSeat
{
    private ActivationArena? _arena;
    private int _slot;
    private Tensor? _view;

    /// <summary>The arena the output lives in, or null.</summary>
    public readonly ActivationArena? Arena => _arena;

    /// <summary>Places the output in <paramref name="slot"/> of <paramref name="arena"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such slot.</exception>
    public void Place(ActivationArena arena, int slot)
    {
        ArgumentNullException.ThrowIfNull(arena);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, arena.Slots);
        (_arena, _slot, _view) = (arena, slot, null);
    }

    /// <summary>The output tensor of <paramref name="shape"/>: a view of the slot at inference once placed, else
    /// <paramref name="own"/> (reallocated when its shape differs).</summary>
    public Tensor Output(ref Tensor? own, bool training, params ReadOnlySpan<int> shape) =>
        (training ? null : Slot(shape)) ?? LayerHelpers.Ensure(ref own, shape);

    /// <summary>A view of the slot of <paramref name="shape"/>, or null when the layer is not placed or the value is over
    /// <see cref="ActivationArena.MaxSlotFloats"/> (its layer's own tensor holds it then).</summary>
    public Tensor? Slot(params ReadOnlySpan<int> shape)
    {
        if (_arena is null) return null;
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count > ActivationArena.MaxSlotFloats) return null;
        float[] storage = _arena.Storage(_slot, count);
        if (_view is null || _view.Data != storage || !_view.Shape.SequenceEqual(shape)) _view = Tensor.View(storage, shape.ToArray());
        return _view;
    }
}
