// GradientAllReduce: sums the gradients of all ranks before the optimizer step. The gradients of the parameters that
// require one are streamed, in the model's parameter order, into fixed-size buckets (default 1 Mi floats = 4 MiB);
// each full bucket is summed in place with one allreduce and copied back. The order and the bucket boundaries depend
// only on the model, so every step issues the same calls with the same sizes on every rank, and the sums do not
// depend on timing. The rank's loss contribution rides in the last slot, so one step costs ⌈(P + 1)/bucket⌉ calls.
using System.Diagnostics;
using Topiary.Nn;

namespace Topiary.Distributed;

/// <summary>Bucketed, fixed-order gradient sum across ranks.</summary>
public sealed class GradientAllReduce
{
    /// <summary>Default bucket size in floats (4 MiB).</summary>
    public const int DefaultBucketFloats = 1 << 20;

    private readonly float[] _bucket;
    private readonly List<(Parameter? Parameter, int Source, int Target, int Length)> _segments = [];

    /// <summary>Creates a reducer with buckets of <paramref name="bucketFloats"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketFloats"/> is below 1.</exception>
    public GradientAllReduce(int bucketFloats = DefaultBucketFloats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketFloats, 1);
        BucketFloats = bucketFloats;
        _bucket = GC.AllocateUninitializedArray<float>(bucketFloats, pinned: true);
    }

    /// <summary>Floats per allreduce call (the last call of a step may be shorter).</summary>
    public int BucketFloats { get; }

    /// <summary>
    /// Replaces the gradient of every parameter in <paramref name="parameters"/> that requires one by its sum over all
    /// ranks, and returns the sum of <paramref name="loss"/> over all ranks. A no-op returning <paramref name="loss"/>
    /// on a single rank.
    /// </summary>
    /// <exception cref="IOException">An allreduce failed.</exception>
    public float Reduce(ICommunicator communicator, IReadOnlyList<Parameter> parameters, float loss, CommunicationStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(parameters);
        if (communicator.Size == 1) return loss;
        long start = Stopwatch.GetTimestamp();
        long floats = 1;
        int used = 0;
        _segments.Clear();
        foreach (var p in parameters)
        {
            if (!p.RequiresGrad) continue;
            floats += p.Length;
            for (int done = 0; done < p.Length;)
            {
                if (used == _bucket.Length) used = Flush(communicator, used);
                int n = Math.Min(p.Length - done, _bucket.Length - used);
                p.Grad.Data.AsSpan(done, n).CopyTo(_bucket.AsSpan(used, n));
                _segments.Add((p, done, used, n));
                done += n;
                used += n;
            }
        }
        if (used == _bucket.Length) used = Flush(communicator, used);
        _bucket[used] = loss;
        _segments.Add((null, 0, used, 1));
        used++;
        Flush(communicator, used);
        statistics?.Add(floats, Stopwatch.GetTimestamp() - start);
        return _lastLoss;
    }

    private float _lastLoss;

    // Sums bucket[0..used) across ranks and copies every segment back to its gradient (the loss to _lastLoss).
    private int Flush(ICommunicator communicator, int used)
    {
        communicator.AllReduceSum(_bucket.AsSpan(0, used));
        foreach (var (p, source, target, length) in _segments)
        {
            if (p is null) _lastLoss = _bucket[target];
            else _bucket.AsSpan(target, length).CopyTo(p.Grad.Data.AsSpan(source, length));
        }
        _segments.Clear();
        return 0;
    }
}
