// CliProcess: runs the built `topiary` CLI (copied next to the tests) as a child process, for the tests that need a
// real process — signals, kill -9, exit codes. Output is captured; Signal sends a POSIX signal with libc kill(2).
// When this process ignores SIGINT (a test run started in the background by a shell without job control), a child
// would inherit SIG_IGN and .NET keeps an inherited ignore; the child is then started through
// `env --default-signal=INT` so it behaves like a program run in a terminal.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Topiary.Tests.Reliability;

internal sealed partial class CliProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CliProcess(IEnumerable<string> args, string workingDirectory)
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Topiary.Cli.exe" : "Topiary.Cli");
        var start = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var prefix = new List<string>();
        if (SigIntIgnoredHere()) prefix.AddRange(["env", "--default-signal=INT"]);
        if (File.Exists(apphost)) prefix.Add(apphost);
        else prefix.AddRange(["dotnet", Path.Combine(AppContext.BaseDirectory, "Topiary.Cli.dll")]);
        start.FileName = prefix[0];
        foreach (string a in prefix.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts <c>topiary args</c> in <paramref name="workingDirectory"/>.</summary>
    public static CliProcess Start(string workingDirectory, params string[] args) => new(args, workingDirectory);

    /// <summary>Runs <c>topiary args</c> to completion (at most <paramref name="timeout"/>) and returns its exit code.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        int code = await p.WaitAsync(timeout);
        return (code, p.Output);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Waits for the exit (killing the process if it overruns <paramref name="timeout"/>) and returns the exit code.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"topiary did not exit within {timeout.TotalSeconds:F0} s; output:\n{Output}");
        }
        _process.WaitForExit(); // drains the asynchronous output readers
        return _process.ExitCode;
    }

    /// <summary>Sends POSIX signal <paramref name="signal"/> (e.g. <see cref="SigInt"/>) to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>SIGKILL: the process gets no chance to react.</summary>
    public void KillHard() => _process.Kill();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    // SigIgn in /proc/self/status is a hex mask; bit (signal - 1) set = ignored.
    private static bool SigIntIgnoredHere()
    {
        if (!OperatingSystem.IsLinux()) return false;
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
