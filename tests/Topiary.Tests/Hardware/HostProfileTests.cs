// HostProfileTests: sysfs cache-size parsing ("48K", "1M", "32768", garbage), cache directories built in a temp
// folder (instruction caches skipped, missing/garbage → 0 with a note), /proc/cpuinfo parsing, lanes consistent
// with Vector*.IsHardwareAccelerated, a tiny-budget HostMeasurement giving positive finite numbers, and
// HardwareProfile.ByName (known names, case-insensitive, unknown names listed in the error).
using System.Runtime.Intrinsics;
using Topiary.Hardware;
using Topiary.Runtime;

namespace Topiary.Tests.Hardware;

public sealed class HostProfileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "topiary-hw-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("48K", 48 * 1024L)]
    [InlineData("1M", 1024 * 1024L)]
    [InlineData("32768", 32768L)]
    [InlineData(" 512k\n", 512 * 1024L)]
    [InlineData("2G", 2L << 30)]
    [InlineData("16KiB", 16 * 1024L)]
    [InlineData("0", 0L)]
    public void ParseSize_reads_sysfs_sizes(string text, long expected) => Assert.Equal(expected, CacheSizes.ParseSize(text));

    [Theory]
    [InlineData("")]
    [InlineData("K")]
    [InlineData("48X")]
    [InlineData("-4K")]
    [InlineData("4.5M")]
    [InlineData("abc")]
    [InlineData("99999999999999999999G")]
    public void ParseSize_rejects_garbage_with_a_specific_error(string text)
    {
        Assert.False(CacheSizes.TryParseSize(text, out long bytes));
        Assert.Equal(0, bytes);
        var e = Assert.Throws<FormatException>(() => CacheSizes.ParseSize(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    private void WriteCache(string index, string? level, string? type, string? size)
    {
        string d = Path.Combine(_dir, index);
        Directory.CreateDirectory(d);
        if (level is not null) File.WriteAllText(Path.Combine(d, "level"), level + "\n");
        if (type is not null) File.WriteAllText(Path.Combine(d, "type"), type + "\n");
        if (size is not null) File.WriteAllText(Path.Combine(d, "size"), size + "\n");
    }

    [Fact]
    public void Read_takes_data_and_unified_caches_and_skips_instruction_caches()
    {
        WriteCache("index0", "1", "Data", "48K");
        WriteCache("index1", "1", "Instruction", "32K");
        WriteCache("index2", "2", "Unified", "2048K");
        WriteCache("index3", "3", "Unified", "32M");
        var c = CacheSizes.Read(_dir);
        Assert.Equal(48 * 1024, c.L1dBytes);
        Assert.Equal(2048 * 1024, c.L2Bytes);
        Assert.Equal(32L << 20, c.L3Bytes);
        Assert.Equal(32L << 20, c.LastLevelBytes);
        Assert.Empty(c.Notes);
        Assert.Equal(2048 * 1024, (c with { L3Bytes = 0 }).LastLevelBytes);
        Assert.Equal(48 * 1024, (c with { L3Bytes = 0, L2Bytes = 0 }).LastLevelBytes);
    }

    [Fact]
    public void Read_turns_missing_or_garbage_entries_into_zero_with_notes()
    {
        WriteCache("index0", "1", "Data", "lots");
        WriteCache("index2", "2", "Unified", null);
        var c = CacheSizes.Read(_dir);
        Assert.Equal((0L, 0L, 0L), (c.L1dBytes, c.L2Bytes, c.L3Bytes));
        Assert.Contains(c.Notes, n => n.Contains("'lots'", StringComparison.Ordinal));
        Assert.Contains(c.Notes, n => n.Contains("Incomplete", StringComparison.Ordinal));

        var none = CacheSizes.Read(Path.Combine(_dir, "does-not-exist"));
        Assert.Equal((0L, 0L, 0L, 0L), (none.L1dBytes, none.L2Bytes, none.L3Bytes, none.LastLevelBytes));
        Assert.Single(none.Notes);
    }

    [Fact]
    public void Lanes_follow_the_accelerated_vector_widths()
    {
        var (f, h) = HostProfile.DetectLanes();
        int expected = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        Assert.Equal(expected, f);
        Assert.Equal(expected == 1 ? 1 : 2 * expected, h);
        if (expected > 1) Assert.Equal(expected, FmaPeak.Lanes);
    }

    [Fact]
    public void Detect_uses_the_given_cache_directory_and_cpuinfo()
    {
        WriteCache("index0", "1", "Data", "32K");
        WriteCache("index1", "2", "Unified", "1M");
        string cpuinfo = Path.Combine(_dir, "cpuinfo");
        File.WriteAllText(cpuinfo, "processor\t: 0\nmodel name\t: Test CPU 9000\ncpu MHz\t\t: 2995.5\n\nprocessor\t: 1\nmodel name\t: other\n");
        var p = HostProfile.Detect(null, _dir, cpuinfo);
        Assert.Equal("host", p.Name);
        Assert.True(p.Measured);
        Assert.Equal(ParallelismClass.Moderate, p.Parallelism);
        Assert.Equal("Test CPU 9000", p.Description);
        Assert.Equal(2995.5e6, p.ClockHz, 1e-3);
        Assert.Equal((32 * 1024L, 1L << 20, 0L), (p.L1dBytes, p.L2Bytes, p.L3Bytes));
        Assert.Equal(Environment.ProcessorCount, p.Cores);
        Assert.Equal(HostProfile.DetectLanes().FloatLanes, p.FloatLanes);
        Assert.Equal(0, p.PeakGflops);
        Assert.Contains(p.Assumptions, a => a.Contains("not measured", StringComparison.Ordinal));

        var bare = HostProfile.Detect(null, Path.Combine(_dir, "none"), Path.Combine(_dir, "no-cpuinfo"));
        Assert.Equal("unknown CPU", bare.Description);
        Assert.Equal(0, bare.ClockHz);
    }

    [Fact]
    public void Tiny_budget_measurement_gives_positive_finite_numbers()
    {
        var m = HostMeasurement.Measure(TimeSpan.FromMilliseconds(30), threads: 2, arrayBytes: 1 << 20);
        foreach (double v in new[] { m.PeakGflops1T, m.PeakGflopsMT, m.Memory.Read1T, m.Memory.ReadMT, m.Memory.Copy1T, m.Memory.CopyMT })
            Assert.True(double.IsFinite(v) && v > 0, $"not positive finite: {v}");
        Assert.Equal(1 << 20, m.Memory.ArrayBytes);
        Assert.Equal(FmaPeak.Isa, m.Isa);
        var p = HostProfile.Detect(m);
        Assert.Equal(m.PeakGflopsMT, p.PeakGflops);
        Assert.Equal(m.Memory.ReadMT, p.BandwidthGBps);
        Assert.Contains(p.Assumptions, a => a.StartsWith("Measured FMA peak", StringComparison.Ordinal));
    }

    [Fact]
    public void Measurement_arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HostMeasurement.Measure(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => HostMeasurement.Measure(TimeSpan.FromSeconds(1), arrayBytes: 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.Measure(0, 10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.Measure(1024, 1, 0, 1));
    }

    [Fact]
    public void ByName_returns_known_profiles_and_lists_names_for_unknown_ones()
    {
        Assert.Same(HardwareProfile.CortexM4, HardwareProfile.ByName("cortex-m4"));
        Assert.Same(HardwareProfile.Gpu, HardwareProfile.ByName(" GPU "));
        Assert.Equal(ParallelismClass.Low, HardwareProfile.CortexM4.Parallelism);
        Assert.Equal(ParallelismClass.High, HardwareProfile.Gpu.Parallelism);
        Assert.False(HardwareProfile.Gpu.Measured);
        Assert.NotEmpty(HardwareProfile.CortexM4.Assumptions);
        Assert.Equal("host", HardwareProfile.ByName("Host").Name);
        var e = Assert.Throws<ArgumentException>(() => HardwareProfile.ByName("tpu"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'tpu'", e.Message, StringComparison.Ordinal);
        foreach (string known in HardwareProfile.KnownNames) Assert.Contains(known, e.Message, StringComparison.Ordinal);
    }
}
