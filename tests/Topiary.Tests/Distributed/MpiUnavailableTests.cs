// --distributed without a usable MPI library: exit code 2, one line that says what was tried and how to install Open
// MPI, and no output file. TOPIARY_MPI_LIBRARY names the only library tried, so a missing one is simulated anywhere.
namespace Topiary.Tests.Distributed;

public sealed class MpiUnavailableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-nompi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Distributed_without_an_mpi_library_fails_clearly_with_exit_2()
    {
        if (!OperatingSystem.IsLinux()) return;
        string output = Path.Combine(_dir, "m.safetensors");
        using var job = MpiJob.Start(_dir, null, new Dictionary<string, string> { ["TOPIARY_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" },
            "train", "--model", "lenet-300-100", "--epochs", "1", "--out", output, "--distributed");
        int code = await job.WaitAsync();
        Assert.True(code == 2, $"exit code {code}:\n{job.Output}");
        Assert.Contains("--distributed needs an MPI library", job.Output, StringComparison.Ordinal);
        Assert.Contains("apt-get install openmpi-bin", job.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
