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

    /// <summary>Number of slots.</summary>
    public int Slots => _slots.Length;

    /// <summary>Floats held by all slots.</summary>
    public long Floats => _slots.Sum(s => (long)s.Length);

    /// <summary>A tensor of <paramref name="shape"/> over slot <paramref name="slot"/>'s storage (grown if needed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such slot.</exception>
    internal Tensor Take(int slot, params int[] shape)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _slots.Length);
        long count = 1;
        foreach (int d in shape) count *= d;
        float[]? storage = _slots[slot];
        if (storage.Length < count) _slots[slot] = ScratchArray.GrowAligned(ref storage, count, "ActivationArena");
        return Tensor.View(_slots[slot], shape);
    }
}

/// <summary>A layer whose output can live in an <see cref="ActivationArena"/> slot.</summary>
internal interface IArenaOutput
{
    /// <summary>Writes the output into <paramref name="slot"/> of <paramref name="arena"/> from now on.</summary>
    void Place(ActivationArena arena, int slot);
}
