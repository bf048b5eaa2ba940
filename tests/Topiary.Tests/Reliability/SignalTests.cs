// Signals, kill -9 and determinism of `topiary train`, on the real CLI in a child process: LeNet-300-100 on the first
// 1,000 MNIST images for 10 epochs (a checkpoint after each), seed 5, one thread.
//   - SIGINT / SIGTERM after the first checkpoint: exit code 130, "cancelled" on stderr, the checkpoint on disk and
//     readable (a completed epoch before the last), no model file, no temp file; `--resume` then finishes with a model
//     file byte-identical to the uninterrupted run's.
//   - kill -9 after the first checkpoint: no clean-up is possible; `--resume` from whatever checkpoint is on disk still
//     ends byte-identical (at most the epochs since the last checkpoint are redone).
//   - Two runs with the same seed (one thread and two threads) write byte-identical model files.
// The uninterrupted reference run is made once per class (ReferenceRun).
using System.Globalization;
using Topiary.Training;

namespace Topiary.Tests.Reliability;

[Trait("Category", "EndToEnd")]
public sealed class SignalTests(SignalTests.ReferenceRun reference) : IClassFixture<SignalTests.ReferenceRun>, IDisposable
{
    private const int Epochs = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string[] TrainArgs(string output, int threads = 1, bool resume = false) =>
    [
        "train", "--model", "lenet-300-100", "--train-limit", "1000", "--epochs", Epochs.ToString(CultureInfo.InvariantCulture),
        "--seed", "5", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--out", output, .. resume ? new[] { "--resume" } : [],
    ];

    /// <summary>The uninterrupted run's model file.</summary>
    public sealed class ReferenceRun : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("topiary-signal-ref-").FullName;

        public ReferenceRun()
        {
            string output = Path.Combine(_dir, "model.safetensors");
            var (code, log) = CliProcess.RunAsync(_dir, Timeout, TrainArgs(output)).GetAwaiter().GetResult();
            Assert.True(code == 0, $"reference run exited with {code}:\n{log}");
            ModelFile = File.ReadAllBytes(output);
        }

        public byte[] ModelFile { get; }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }

    // Starts training, waits for the first checkpoint (written atomically, so it exists only when complete), then
    // lets `interrupt` act on the process; returns the exit code.
    private async Task<(int Code, string Output)> RunInterrupted(string output, Action<CliProcess> interrupt)
    {
        using var p = CliProcess.Start(_dir, TrainArgs(output));
        string checkpoint = output + ".ckpt";
        while (!File.Exists(checkpoint))
        {
            Assert.False(p.HasExited, $"topiary exited before writing its first checkpoint:\n{p.Output}");
            await Task.Delay(10);
        }
        Assert.False(p.HasExited, "the run finished before it could be interrupted");
        interrupt(p);
        int code = await p.WaitAsync(Timeout);
        return (code, p.Output);
    }

    private static int CheckpointEpoch(string checkpoint) =>
        int.Parse(SafeTensors.Read(checkpoint).Metadata["run.epoch"], CultureInfo.InvariantCulture);

    private async Task ResumeMatchesReference(string output)
    {
        var (code, log) = await CliProcess.RunAsync(_dir, Timeout, TrainArgs(output, resume: true));
        Assert.True(code == 0, $"resume exited with {code}:\n{log}");
        Assert.Equal(reference.ModelFile, File.ReadAllBytes(output));
    }

    [PosixTheory("POSIX signals")]
    [InlineData(CliProcess.SigInt)]
    [InlineData(CliProcess.SigTerm)]
    public async Task Signal_after_the_first_checkpoint_exits_130_leaves_the_checkpoint_and_resume_ends_identical(int signal)
    {
        string output = Path.Combine(_dir, "model.safetensors");
        var (code, log) = await RunInterrupted(output, p => p.Signal(signal));

        Assert.True(code == 130, $"exit code {code}, expected 130:\n{log}");
        Assert.Contains("cancelled", log, StringComparison.Ordinal);
        Assert.False(File.Exists(output), "a model file was written by an interrupted run");
        Assert.Equal(["model.safetensors.ckpt"], Directory.GetFiles(_dir).Select(Path.GetFileName)); // no temp files
        int epoch = CheckpointEpoch(output + ".ckpt");
        Assert.InRange(epoch, 1, Epochs - 1);

        await ResumeMatchesReference(output);
    }

    [Fact]
    public async Task Kill_9_after_the_first_checkpoint_loses_at_most_an_epoch_and_resume_ends_identical()
    {
        string output = Path.Combine(_dir, "model.safetensors");
        var (code, _) = await RunInterrupted(output, p => p.KillHard());

        Assert.NotEqual(0, code);
        Assert.False(File.Exists(output));
        Assert.InRange(CheckpointEpoch(output + ".ckpt"), 1, Epochs - 1);
        await ResumeMatchesReference(output);
    }

    [Fact]
    public async Task Same_seed_gives_a_byte_identical_model_file_whatever_the_thread_count()
    {
        string output = Path.Combine(_dir, "again.safetensors");
        var (code, log) = await CliProcess.RunAsync(_dir, Timeout, TrainArgs(output, threads: 2));
        Assert.True(code == 0, $"exit code {code}:\n{log}");
        Assert.Equal(reference.ModelFile, File.ReadAllBytes(output));
    }
}
