// FuzzHarness: runs a FuzzTarget over seeded inputs and checks its contract — every input either parses or throws
// one of the target's documented exception types, no input runs longer than the budget, none allocates more than the
// target's memory cap.
//   Inputs: input i of run seed s is generated from its own Random(Mix(s, i)), so any single input is reproducible
//   (Input(target, s, i)) without replaying the others: 5% pure random bytes, the rest 1-4 byte-level mutations of a
//   seed (ByteMutator) or, for half of them when the target has one, its format-aware mutation.
//   Settings (environment): TOPIARY_FUZZ_COUNT inputs per target (default 2,000: the reduced count the normal test
//   run uses), TOPIARY_FUZZ_SEED (default 1), TOPIARY_FUZZ_ONLY=i (run input i alone), TOPIARY_FUZZ_BUDGET_MS
//   (per-input wall-clock watchdog, default 10,000: slowest input seen 0.9 s, but xunit runs test classes in parallel on
//   2 shared cores and a 2 s budget tripped on a GC pause in CI), TOPIARY_FUZZ_REPORT=path (append each report as a JSON line).
//   Watchdog: the inputs run on a background thread; the calling thread fails the run, naming the input, when one
//   input exceeds the budget (a hung parser cannot be aborted, so that run stops there).
//   Memory: bytes allocated on the parsing thread (GC.GetAllocatedBytesForCurrentThread) per input, so tests running
//   in parallel do not disturb the figure.
//   Failures: the first five failing inputs are minimised (chunks removed while the same exception type still occurs) and
//   saved under <temp>/topiary-fuzz-failures/; the report names the seed, index and file.
using System.Diagnostics;
using System.Globalization;

namespace Topiary.Tests.Reliability;

internal static class FuzzHarness
{
    /// <summary>Inputs per target: TOPIARY_FUZZ_COUNT, default 2,000.</summary>
    public static int Count => EnvInt("TOPIARY_FUZZ_COUNT") ?? 2000;

    /// <summary>Run seed: TOPIARY_FUZZ_SEED, default 1.</summary>
    public static int Seed => EnvInt("TOPIARY_FUZZ_SEED") ?? 1;

    /// <summary>Per-input budget: TOPIARY_FUZZ_BUDGET_MS, default 2 s.</summary>
    public static TimeSpan Budget => TimeSpan.FromMilliseconds(EnvInt("TOPIARY_FUZZ_BUDGET_MS") ?? 10_000);

    /// <summary>A directory for inputs a parser must read from a file: /dev/shm when available (no disk writes), else the temp path.</summary>
    public static string ScratchDirectory(string name)
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string dir = Path.Combine(root, $"topiary-fuzz-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Input <paramref name="index"/> of the run with seed <paramref name="seed"/>.</summary>
    public static byte[] Input(FuzzTarget target, int seed, int index)
    {
        var rng = new Random(Mix(seed, index));
        if (rng.Next(20) == 0) return ByteMutator.RandomInput(target, rng);
        byte[] parent = target.PickSeed(rng).Bytes;
        if (target.Structured is not null && rng.Next(2) == 0) return target.Structured(parent, rng);
        return ByteMutator.Mutate(parent, target, rng);
    }

    /// <summary>Runs <paramref name="target"/> over <see cref="Count"/> inputs (or only TOPIARY_FUZZ_ONLY) and returns the figures.</summary>
    public static FuzzReport Run(FuzzTarget target, int? count = null, int? seed = null)
    {
        int n = count ?? Count, s = seed ?? Seed;
        int? only = EnvInt("TOPIARY_FUZZ_ONLY");
        var indices = only is int o ? [o] : Enumerable.Range(0, n).ToArray();
        var report = new FuzzReport(target.Name, s);
        long started = 0;
        int current = -1;
        Exception? crash = null;
        using var done = new ManualResetEventSlim();
        var total = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            try
            {
                foreach (int i in indices)
                {
                    byte[] input = Input(target, s, i);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    Volatile.Write(ref current, i);
                    long t0 = Stopwatch.GetTimestamp();
                    Volatile.Write(ref started, t0);
                    Exception? error = Outcome(target, input);
                    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    Volatile.Write(ref started, 0);
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    report.Tried++;
                    report.Observe(i, input.Length, allocated, ms);
                    if (error is null) report.Accepted++;
                    else if (target.IsDocumented(error)) report.Reject(error);
                    else report.Failures.Add(Failure(target, s, i, input, error, minimize: report.Failures.Count < 5));
                    if (allocated > target.MemoryCapBytes)
                        report.Failures.Add(new FuzzFailure(i, "memory",
                            $"allocated {allocated:N0} bytes for a {input.Length}-byte input (cap {target.MemoryCapBytes:N0})", Save(target, s, i, input, "")));
                }
            }
            catch (Exception e)
            {
                crash = e; // a bug in the harness or a mutator, not in the parser
            }
            finally
            {
                done.Set();
            }
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = "fuzz " + target.Name };
        thread.Start();
        while (!done.Wait(50))
        {
            long t0 = Volatile.Read(ref started);
            if (t0 != 0 && Stopwatch.GetElapsedTime(t0) > Budget)
            {
                int i = Volatile.Read(ref current);
                report.Failures.Add(new FuzzFailure(i, "hang", $"still running after {Budget.TotalSeconds:F1} s", Save(target, s, i, Input(target, s, i), "")));
                break;
            }
        }
        report.Seconds = total.Elapsed.TotalSeconds;
        if (crash is not null) throw new InvalidOperationException($"fuzz harness crashed on {target.Name}: {crash}", crash);
        if (Environment.GetEnvironmentVariable("TOPIARY_FUZZ_REPORT") is { Length: > 0 } path)
            File.AppendAllText(path, report.ToJson() + Environment.NewLine);
        return report;
    }

    /// <summary>Fails the test when the run had failures, listing the first ones with the command that reproduces each.</summary>
    public static void AssertClean(FuzzReport report, string testClass)
    {
        if (report.Failures.Count == 0) return;
        var lines = report.Failures.Take(8).Select(f =>
            $"  input #{f.Index} [{f.Kind}] {f.Message}\n    saved: {f.SavedInput}\n    reproduce: TOPIARY_FUZZ_SEED={report.Seed} TOPIARY_FUZZ_ONLY={f.Index} " +
            $"dotnet test -c Release --filter \"FullyQualifiedName~{testClass}\"");
        Assert.Fail($"{report}\n{string.Join('\n', lines)}");
    }

    /// <summary>Fails when the mutations were too gentle (nothing rejected) or too harsh (nothing accepted).</summary>
    public static void AssertMutatorBalance(FuzzReport report)
    {
        if (report.Tried < 200) return; // a single reproduced input, or a tiny run
        Assert.True(report.RejectedTotal > report.Tried / 10, $"only {report.RejectedTotal} rejected: the mutator is too gentle. {report}");
        Assert.True(report.Accepted > 0, $"nothing accepted: the mutator is too harsh. {report}");
    }

    private static Exception? Outcome(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Parse(input);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static FuzzFailure Failure(FuzzTarget target, int seed, int index, byte[] input, Exception error, bool minimize)
    {
        byte[] minimal = minimize ? Minimize(target, input, error.GetType()) : input;
        string where = error.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Topiary.", StringComparison.Ordinal))?.Trim() ?? "";
        return new FuzzFailure(index, error.GetType().FullName!, $"{error.Message} {where}", Save(target, seed, index, minimal, ".min"));
    }

    /// <summary>Removes chunks of <paramref name="input"/> while the parser still throws <paramref name="type"/> (at most 2,000 tries).</summary>
    public static byte[] Minimize(FuzzTarget target, byte[] input, Type type)
    {
        byte[] best = input;
        int tries = 0;
        for (int chunk = Math.Max(1, best.Length / 2); chunk >= 1 && tries < 2000; chunk /= 2)
        {
            for (int at = 0; at + chunk <= best.Length && tries < 2000; tries++)
            {
                byte[] candidate = [.. best.AsSpan(0, at), .. best.AsSpan(at + chunk)];
                if (Outcome(target, candidate)?.GetType() == type) best = candidate;
                else at += chunk;
            }
        }
        return best;
    }

    private static string? Save(FuzzTarget target, int seed, int index, byte[] input, string suffix)
    {
        try
        {
            string dir = Path.Combine(Path.GetTempPath(), "topiary-fuzz-failures");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, $"{target.Name}-seed{seed}-{index}{suffix}.bin");
            File.WriteAllBytes(path, input);
            return path;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int Mix(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
}
