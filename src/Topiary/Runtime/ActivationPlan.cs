// ActivationPlan: the slots of an ActivationArena for an inference stack's activations, by liveness. The stack is
// recorded as operations in execution order, each reading earlier operations' values (or Outside) and writing one
// value — into an arena slot when its writer is an IArenaOutput. Walking the operations in order, a value's slot is
// taken when it is written and freed after its last reader (a value nobody reads, at once); the writer takes the most
// recently freed slot, so it writes memory that is still in cache, never a slot one of its own inputs is in.
using Topiary.Nn;

namespace Topiary.Runtime;

/// <summary>Liveness-based arena slots for a stack's activations.</summary>
internal sealed class ActivationPlan
{
    /// <summary>The value id of a tensor from outside the stack (no slot).</summary>
    public const int Outside = -1;

    private readonly List<(IArenaOutput? Writer, int[] Inputs)> _ops = [];

    /// <summary>Records an operation reading <paramref name="inputs"/> (value ids); returns the id of the value it writes.</summary>
    public int Add(IArenaOutput? writer, params int[] inputs)
    {
        _ops.Add((writer, inputs));
        return _ops.Count - 1;
    }

    /// <summary>The layers that occur once in <paramref name="layers"/> (by reference): only those can be placed, since a
    /// layer has one seat and a layer run at two places would write both values into one slot.</summary>
    public static HashSet<Module> UsedOnce(IEnumerable<Module> layers)
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var once = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        foreach (var m in layers)
            if (seen.Add(m)) once.Add(m);
            else once.Remove(m);
        return once;
    }

    /// <summary>Assigns the slots and places every writer in them; the arena, or null when no operation has a slot.</summary>
    public ActivationArena? Apply()
    {
        int n = _ops.Count;
        int[] lastUse = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < n; i++)
            foreach (int v in _ops[i].Inputs)
                if (v != Outside) lastUse[v] = Math.Max(lastUse[v], i);
        int[] slotOf = new int[n];
        var free = new Stack<int>();
        int slots = 0;
        for (int i = 0; i < n; i++)
        {
            if (_ops[i].Writer is not null) slotOf[i] = free.Count > 0 ? free.Pop() : slots++;
            foreach (int v in _ops[i].Inputs.Distinct())
                if (v != Outside && lastUse[v] == i && _ops[v].Writer is not null) free.Push(slotOf[v]);
            if (_ops[i].Writer is not null && lastUse[i] == i) free.Push(slotOf[i]);
        }
        if (slots == 0) return null;
        var arena = new ActivationArena(slots);
        for (int i = 0; i < n; i++) _ops[i].Writer?.Place(arena, slotOf[i]);
        return arena;
    }
}
