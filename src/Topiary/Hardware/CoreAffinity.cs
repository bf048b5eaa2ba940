// CoreAffinity: binds the calling thread to one core, for measurements that must not let the scheduler put two of their
// threads on one core (FmaPeak's multi-thread loops, CoreLatency's two ends). Linux only (sched_setaffinity with pid 0:
// the calling thread); elsewhere, past 64 cores, or on failure, the scheduler decides (best effort, never an error).
using System.Runtime.InteropServices;

namespace Topiary.Hardware;

internal static class CoreAffinity
{
    /// <summary>Binds the calling thread to <paramref name="core"/>; true when the binding took.</summary>
    public static bool PinCurrentThread(int core)
    {
        if (!OperatingSystem.IsLinux() || core is < 0 or >= 64) return false;
        try
        {
            ulong mask = 1UL << core;
            return SchedSetAffinity(0, (nuint)sizeof(ulong), ref mask) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int pid, nuint cpusetsize, ref ulong mask);
}
