// HostProfile: the profile of the machine we run on. SIMD lanes from Vector512/256/128.IsHardwareAccelerated
// (float lanes 16/8/4, 16-bit lanes 32/16/8, 1/1 without acceleration), cores from
// Environment.ProcessorCount, caches from sysfs (CacheSizes), model name and current clock from /proc/cpuinfo
// when present. A desktop/server CPU is Scalpel's Moderate class. PeakGflops and BandwidthGBps come from a
// HostMeasurement when one is given (multi-thread FMA peak, multi-thread read bandwidth), else they are 0.
using System.Globalization;
using System.Runtime.Intrinsics;
using Topiary.Runtime;

namespace Topiary.Hardware;

/// <summary>Detects the host's profile.</summary>
public static class HostProfile
{
    /// <summary>The Linux CPU information file.</summary>
    public const string LinuxCpuInfoPath = "/proc/cpuinfo";

    /// <summary>float32 and 16-bit lanes of the widest accelerated vector type: (16, 32), (8, 16), (4, 8) or (1, 1).</summary>
    public static (int FloatLanes, int Int16Lanes) DetectLanes() =>
        Vector512.IsHardwareAccelerated ? (16, 32) :
        Vector256.IsHardwareAccelerated ? (8, 16) :
        Vector128.IsHardwareAccelerated ? (4, 8) : (1, 1);

    /// <summary>
    /// Detects the host. <paramref name="cacheDirectory"/> and <paramref name="cpuInfoPath"/> default to the Linux
    /// locations (tests point them at fixtures); missing files only add an assumption line.
    /// </summary>
    public static HardwareProfile Detect(HostMeasurement? measurement = null,
        string cacheDirectory = CacheSizes.LinuxSysfsDirectory, string cpuInfoPath = LinuxCpuInfoPath)
    {
        var (floatLanes, int16Lanes) = DetectLanes();
        var caches = CacheSizes.Read(cacheDirectory);
        var (model, mhz) = ReadCpuInfo(cpuInfoPath);
        var assumptions = new List<string>
        {
            $"Detected: {floatLanes} float32 SIMD lanes (widest hardware-accelerated System.Runtime.Intrinsics vector), {Environment.ProcessorCount} logical processors.",
            "A desktop/server CPU is Scalpel's moderate-parallelism class.",
        };
        assumptions.AddRange(caches.Notes);
        if (model is null) assumptions.Add($"No CPU model name in '{cpuInfoPath}'.");
        if (mhz > 0) assumptions.Add($"Clock {mhz:F0} MHz is the current frequency /proc/cpuinfo reported, not a guaranteed sustained clock.");
        if (measurement is null) assumptions.Add("Peak and bandwidth not measured (0); pass a HostMeasurement to fill them.");
        else assumptions.AddRange(measurement.Describe());

        return new HardwareProfile
        {
            Name = "host",
            Description = model ?? "unknown CPU",
            Measured = true,
            Parallelism = ParallelismClass.Moderate,
            FloatLanes = floatLanes,
            Int16Lanes = int16Lanes,
            Cores = Environment.ProcessorCount,
            L1dBytes = caches.L1dBytes,
            L2Bytes = caches.L2Bytes,
            L3Bytes = caches.L3Bytes,
            ClockHz = mhz * 1e6,
            PeakGflops = measurement?.PeakGflopsMT ?? 0,
            BandwidthGBps = measurement?.Memory.ReadMT ?? 0,
            Assumptions = assumptions,
        };
    }

    /// <summary>The first "model name" (x64) or "Model"/"Hardware" (Arm) value and the first "cpu MHz" value (0 if absent).</summary>
    internal static (string? Model, double Mhz) ReadCpuInfo(string path)
    {
        string? model = null;
        double mhz = 0;
        string[] lines;
        try
        {
            if (!File.Exists(path)) return (null, 0);
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, 0);
        }
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (model is null && value.Length > 0 && (key == "model name" || key == "Model" || key == "Hardware")) model = value;
            else if (mhz == 0 && key == "cpu MHz" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0) mhz = v;
        }
        return (model, mhz);
    }
}
