// FuzzReport: the figures of one fuzz run — inputs tried, accepted, rejected by exception type, failures (with the
// seed and input index that reproduce each one), the largest allocation one input caused on the parsing thread, the
// slowest input and the wall time. ToString is the one-line summary the tests print; ToJson the record appended to
// TOPIARY_FUZZ_REPORT for RELIABILITY.md.
using System.Globalization;
using System.Text.Json;

namespace Topiary.Tests.Reliability;

/// <summary>One input that broke the contract: an undocumented exception, a hang, or too large an allocation.</summary>
internal sealed record FuzzFailure(int Index, string Kind, string Message, string? SavedInput);

internal sealed class FuzzReport(string target, int seed)
{
    public string Target { get; } = target;
    public int Seed { get; } = seed;
    public int Tried { get; set; }
    public int Accepted { get; set; }
    public SortedDictionary<string, int> Rejected { get; } = new(StringComparer.Ordinal);
    public List<FuzzFailure> Failures { get; } = [];
    public long MaxAllocatedBytes { get; private set; }
    public int MaxAllocatedIndex { get; private set; } = -1;
    public int MaxAllocatedInputLength { get; private set; }
    public double MaxMilliseconds { get; private set; }
    public int SlowestIndex { get; private set; } = -1;
    public double Seconds { get; set; }

    public int RejectedTotal => Rejected.Values.Sum();

    public void Reject(Exception e) => Rejected[e.GetType().Name] = Rejected.GetValueOrDefault(e.GetType().Name) + 1;

    public void Observe(int index, int inputLength, long allocated, double milliseconds)
    {
        if (allocated > MaxAllocatedBytes) (MaxAllocatedBytes, MaxAllocatedIndex, MaxAllocatedInputLength) = (allocated, index, inputLength);
        if (milliseconds > MaxMilliseconds) (MaxMilliseconds, SlowestIndex) = (milliseconds, index);
    }

    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        string rejected = string.Join(", ", Rejected.Select(kv => $"{kv.Key} {kv.Value}"));
        return string.Create(inv,
            $"{Target}: {Tried} inputs (seed {Seed}, {Seconds:F1} s): accepted {Accepted}, rejected {RejectedTotal} ({rejected}), " +
            $"failures {Failures.Count}; max allocation {MaxAllocatedBytes / 1048576.0:F1} MB (input #{MaxAllocatedIndex}, " +
            $"{MaxAllocatedInputLength} bytes), slowest input {MaxMilliseconds:F0} ms (#{SlowestIndex})");
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        target = Target,
        seed = Seed,
        tried = Tried,
        accepted = Accepted,
        rejected = Rejected,
        failures = Failures.Count,
        max_allocated_bytes = MaxAllocatedBytes,
        max_allocated_input_bytes = MaxAllocatedInputLength,
        slowest_ms = Math.Round(MaxMilliseconds, 1),
        seconds = Math.Round(Seconds, 1),
        utc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    });
}
