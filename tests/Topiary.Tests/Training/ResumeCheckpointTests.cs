// ResumeCheckpoint: model, identity and progress round-trip; another identity is refused naming the field and leaves
// the model untouched; a checkpoint without resume metadata (a plain model checkpoint) is refused.
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Tests.Training;

public class ResumeCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-resume-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private sealed record Progress(List<int> Done, double Best);

    [Fact]
    public void Model_identity_and_progress_round_trip_and_another_identity_is_refused()
    {
        string path = Path.Combine(_dir, "r.ckpt");
        var model = ModelZoo.Create("lenet-300-100", 1);
        ResumeCheckpoint.Save(path, model, new { Rounds = 3, Seed = 1, Rate = 0.1f }, new Progress([1, 2], double.NaN));

        var other = ModelZoo.Create("lenet-300-100", 2);
        var back = ResumeCheckpoint.Restore<Progress>(path, other, new { Rounds = 3, Seed = 1, Rate = 0.1f });
        Assert.Equal([1, 2], back.Done);
        Assert.True(double.IsNaN(back.Best));
        Assert.Equal(model.Parameters().First().Value.Data, other.Parameters().First().Value.Data);

        var fresh = ModelZoo.Create("lenet-300-100", 3);
        var before = (float[])fresh.Parameters().First().Value.Data.Clone();
        var e = Assert.Throws<InvalidDataException>(() => ResumeCheckpoint.Restore<Progress>(path, fresh, new { Rounds = 4, Seed = 1, Rate = 0.1f }));
        Assert.Contains("cannot resume: 'rounds' is 3 in the checkpoint but 4 in this run", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, fresh.Parameters().First().Value.Data);
        e = Assert.Throws<InvalidDataException>(() => ResumeCheckpoint.Restore<Progress>(path, fresh, new { Rounds = 3, Seed = 1, Rate = 0.1f, Extra = "x" }));
        Assert.Contains("'extra' is missing in the checkpoint", e.Message, StringComparison.Ordinal);

        string plain = Path.Combine(_dir, "plain.ckpt");
        Checkpoint.Save(plain, model);
        Assert.Contains("no 'resume.identity'", Assert.Throws<InvalidDataException>(() => ResumeCheckpoint.Restore<Progress>(plain, fresh, new { Rounds = 3 })).Message,
            StringComparison.Ordinal);
    }
}
