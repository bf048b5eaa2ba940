// Data-parallel runs of the real CLI under `mpirun -np 2` (Open MPI), kept short for CI (LeNet on a slice of MNIST):
//   - train LeNet-5, global batch 64: the 2-rank model file is byte-identical to one process with --micro-batches 2, and
//     within 1e-5 (relative, per tensor) of the plain one-process run with the same test error; only rank 0 prints;
//   - prune with a Han et al. recipe (iterative rounds with retraining): 2 ranks give the masks of one process;
//   - kill -9 of rank 1 after the first checkpoint: the job exits non-zero, no model file or temp file is left, and
//     `--resume` on 2 ranks ends byte-identical to the uninterrupted 2-rank run.
// The full-size versions (a whole LeNet-5 epoch, the whole han2015 recipe) were run by hand: see BENCHMARKS.md.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Topiary.Training;

namespace Topiary.Tests.Distributed;

[Trait("Category", "EndToEnd")]
public sealed partial class MpiJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] TrainLeNet5(string output) =>
        ["train", "--model", "lenet-5", "--train-limit", "2048", "--epochs", "1", "--batch-size", "64", "--seed", "1", "--threads", "1",
         "--out", output, "--json", output + ".json"];

    private async Task<string> Run(int? ranks, params string[] args)
    {
        var (code, log) = await MpiJob.RunAsync(_dir, ranks, args);
        Assert.True(code == 0, $"exit code {code}:\n{log}");
        return log;
    }

    private static Dictionary<string, float[]> Tensors(string path) =>
        SafeTensors.Read(path).Tensors.ToDictionary(t => t.Name, t => t.Tensor.Data);

    [MpiFact]
    public async Task Two_ranks_train_lenet5_like_one_process_with_two_micro_batches_and_within_1e5_of_plain()
    {
        string two = Path.Combine(_dir, "two.safetensors"), micro = Path.Combine(_dir, "micro.safetensors"), plain = Path.Combine(_dir, "plain.safetensors");
        string log = await Run(2, [.. TrainLeNet5(two), "--distributed"]);
        await Run(null, [.. TrainLeNet5(micro), "--micro-batches", "2"]);
        await Run(null, TrainLeNet5(plain));

        Assert.Equal(File.ReadAllBytes(micro), File.ReadAllBytes(two));
        var a = Tensors(plain);
        foreach (var (name, b) in Tensors(two))
        {
            float maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < b.Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(a[name][i] - b[i]));
                maxAbs = Math.Max(maxAbs, Math.Abs(a[name][i]));
            }
            Assert.True(maxDiff <= 1e-5f * maxAbs, $"{name}: max |plain − 2 ranks| {maxDiff:E3} > 1e-5 · {maxAbs:E3}");
        }
        Assert.Equal(TestError(plain + ".json"), TestError(two + ".json"));
        Assert.Single(TableRows().Matches(log));   // rank 0 alone prints the table
        Assert.Contains("distributed: Open MPI", log, StringComparison.Ordinal);
    }

    [MpiFact]
    public async Task Two_ranks_prune_a_han2015_recipe_to_the_masks_of_one_process()
    {
        string dense = Path.Combine(_dir, "dense.safetensors");
        await Run(null, "train", "--model", "lenet-300-100", "--train-limit", "2000", "--epochs", "1", "--seed", "2", "--threads", "1", "--out", dense);
        string recipe = Path.Combine(_dir, "han.yaml");
        File.WriteAllText(recipe, $$"""
            model_file: {{dense}}
            dataset: mnist
            seed: 1
            train: { epochs: 1, batch_size: 64, optimizer: sgd, lr: 0.01, momentum: 0.9, weight_decay: 5.0e-4, lr_policy: inv, gamma: 1.0e-4, power: 0.75 }
            prune:
              method: magnitude
              granularity: element
              schedule: iterative
              rounds: 2
              targets: { fc1: { sparsity: 0.92 }, fc2: { sparsity: 0.91 }, fc3: { sparsity: 0.74 } }
              retrain: { epochs_per_round: 1, lr_scale: 0.5, regularization: l2 }
            """);
        string two = Path.Combine(_dir, "two.safetensors"), one = Path.Combine(_dir, "one.safetensors");
        await Run(2, "prune", "--recipe", recipe, "--threads", "1", "--out", two, "--distributed");
        await Run(null, "prune", "--recipe", recipe, "--threads", "1", "--out", one, "--micro-batches", "2");

        var a = Tensors(one);
        var b = Tensors(two);
        var masks = a.Keys.Where(k => k.EndsWith("_mask", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, masks.Count);
        foreach (string m in masks) Assert.True(a[m].SequenceEqual(b[m]), $"{m} differs");
        foreach (var (name, values) in a) Assert.True(values.SequenceEqual(b[name]), $"{name} differs");
    }

    [MpiFact]
    public async Task Killing_one_rank_ends_the_job_non_zero_without_half_written_output_and_resume_matches()
    {
        string reference = Path.Combine(_dir, "reference.safetensors"), output = Path.Combine(_dir, "model.safetensors");
        await Run(2, TrainLeNet300(reference));

        using (var job = MpiJob.Start(_dir, 2, null, TrainLeNet300(output)))
        {
            while (!File.Exists(output + ".ckpt"))
            {
                Assert.False(job.HasExited, $"the job ended before its first checkpoint:\n{job.Output}");
                await Task.Delay(10);
            }
            int pid = job.RankPid(1) ?? throw new InvalidOperationException($"rank 1 not found among mpirun's children:\n{job.Output}");
            Assert.False(job.HasExited, "the job finished before a rank could be killed");
            Assert.Equal(0, Kill(pid, 9));
            int code = await job.WaitAsync();
            Assert.True(code != 0, $"exit code 0 after rank 1 was killed:\n{job.Output}");
        }
        Assert.False(File.Exists(output), "a model file was written by the killed job");
        Assert.Equal(["model.safetensors.ckpt"], // no temp files either
            Directory.GetFiles(_dir).Select(Path.GetFileName).Where(n => !n!.StartsWith("reference", StringComparison.Ordinal)));
        int epoch = int.Parse(SafeTensors.Read(output + ".ckpt").Metadata["run.epoch"], CultureInfo.InvariantCulture);
        Assert.InRange(epoch, 1, 9);

        await Run(2, [.. TrainLeNet300(output), "--resume"]);
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(output));
    }

    private static string[] TrainLeNet300(string output) =>
        ["train", "--model", "lenet-300-100", "--train-limit", "1000", "--epochs", "10", "--seed", "5", "--threads", "1", "--out", output, "--distributed"];

    private static double TestError(string json) =>
        JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("test_error").GetDouble();

    [System.Text.RegularExpressions.GeneratedRegex(@"train loss")]
    private static partial System.Text.RegularExpressions.Regex TableRows();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
