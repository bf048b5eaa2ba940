// MpiJob: runs the built `topiary` CLI (copied next to the tests) as an MPI job — `mpirun --allow-run-as-root
// --oversubscribe -np N Topiary.Cli args` — or as one plain process, with extra environment variables. Output is captured.
// RankPid finds the process of one rank among mpirun's descendants (by OMPI_COMM_WORLD_RANK in /proc/PID/environ), for
// the test that kills one rank. MpiFact skips a test, with the reason, only when mpirun is not installed.
using System.Diagnostics;
using System.Text;

namespace Topiary.Tests.Distributed;

internal sealed class MpiJob : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MpiJob(int? ranks, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Topiary.Cli");
        var start = new ProcessStartInfo { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var command = new List<string>();
        if (ranks is int n) command.AddRange(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        command.Add(File.Exists(cli) ? cli : "dotnet");
        if (!File.Exists(cli)) command.Add(Path.Combine(AppContext.BaseDirectory, "Topiary.Cli.dll"));
        start.FileName = command[0];
        foreach (string a in command.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>True when mpirun is on the PATH.</summary>
    public static bool MpirunAvailable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "mpirun")));

    /// <summary>Starts <c>mpirun -np ranks topiary args</c>, or plain <c>topiary args</c> when <paramref name="ranks"/> is null.</summary>
    public static MpiJob Start(string dir, int? ranks, IReadOnlyDictionary<string, string>? env, params string[] args) => new(ranks, args, dir, env);

    /// <summary>Runs to completion; returns the exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string dir, int? ranks, params string[] args)
    {
        using var job = Start(dir, ranks, null, args);
        int code = await job.WaitAsync();
        return (code, job.Output);
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task<int> WaitAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the job did not end within {Timeout.TotalSeconds:F0} s; output:\n{Output}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The pid of rank <paramref name="rank"/> (a descendant of mpirun), or null while it has not started.</summary>
    public int? RankPid(int rank)
    {
        string marker = $"OMPI_COMM_WORLD_RANK={rank}";
        var parents = new Dictionary<int, int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        foreach (var (pid, _) in parents)
        {
            bool descendant = false;
            for (int p = pid, depth = 0; depth < 8 && parents.TryGetValue(p, out int parent); p = parent, depth++)
                if (parent == _process.Id) { descendant = true; break; }
            if (!descendant) continue;
            try
            {
                if (File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains(marker)) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

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
}

/// <summary>A fact that needs mpirun; skipped, with the reason, only when Open MPI is not installed.</summary>
internal sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (!MpiJob.MpirunAvailable) Skip = "mpirun not found: install Open MPI (apt-get install openmpi-bin; .ci/run does) to run the MPI tests";
    }
}
