// ThreadGroup: N ranks as N threads of this process, each with its own ICommunicator over shared slots — the test twin
// of an MPI job. AllReduceSum adds the ranks' buffers in rank order (so every rank gets bit-identical sums, as MPI
// gives); Broadcast copies the root's bytes. Run(body) starts one thread per rank with DataParallel.Use(its
// communicator) and rethrows the first failure. A rank that fails breaks the barrier, so its peers fail too instead of
// waiting forever.
using Topiary.Distributed;

namespace Topiary.Tests.Distributed;

internal sealed class ThreadGroup
{
    private readonly Barrier _barrier;
    private readonly object?[] _slots;

    public ThreadGroup(int size)
    {
        Size = size;
        _barrier = new Barrier(size);
        _slots = new object?[size];
    }

    public int Size { get; }

    public int Collectives { get; private set; }

    /// <summary>Runs <paramref name="body"/> on every rank (one thread each); returns the results by rank.</summary>
    public T[] Run<T>(Func<ICommunicator, T> body)
    {
        var results = new T[Size];
        var errors = new Exception?[Size];
        var threads = Enumerable.Range(0, Size).Select(r => new Thread(() =>
        {
            var c = new Member(this, r);
            try
            {
                using (DataParallel.Use(c)) results[r] = body(c);
            }
            catch (Exception e)
            {
                errors[r] = e;
                _barrier.RemoveParticipant(); // peers waiting for this rank are released
            }
        }, 16 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.Any(e => e is not null)) throw new AggregateException(errors.OfType<Exception>());
        return results;
    }

    private void Exchange(int rank, object mine, Action<object?[]> combine)
    {
        _slots[rank] = mine;
        _barrier.SignalAndWait(TimeSpan.FromMinutes(1));
        combine(_slots);
        _barrier.SignalAndWait(TimeSpan.FromMinutes(1));
        if (rank == 0) Collectives++;
    }

    private sealed class Member(ThreadGroup group, int rank) : ICommunicator
    {
        public int Rank => rank;

        public int Size => group.Size;

        public string Description => $"threads, {group.Size} ranks";

        public void AllReduceSum(Span<float> values)
        {
            var copy = values.ToArray();
            var sum = new float[copy.Length];
            group.Exchange(rank, copy, slots =>
            {
                foreach (float[] s in slots.Cast<float[]>())
                    for (int i = 0; i < sum.Length; i++) sum[i] += s[i];
            });
            sum.CopyTo(values);
        }

        public void AllReduceSum(Span<double> values)
        {
            var copy = values.ToArray();
            var sum = new double[copy.Length];
            group.Exchange(rank, copy, slots =>
            {
                foreach (double[] s in slots.Cast<double[]>())
                    for (int i = 0; i < sum.Length; i++) sum[i] += s[i];
            });
            sum.CopyTo(values);
        }

        public void Broadcast(Span<byte> buffer, int root)
        {
            var copy = buffer.ToArray();
            byte[] result = [];
            group.Exchange(rank, copy, slots => result = (byte[])slots[root]!);
            result.CopyTo(buffer);
        }

        public void Barrier() => group.Exchange(rank, Array.Empty<byte>(), _ => { });

        public void Abort(int exitCode) => throw new InvalidOperationException($"abort {exitCode}");
    }
}
