// Checkpoint: a hand-built module tree round-trips parameters, masks (<name>_mask) and buffers;
// LoadInto rejects missing, unexpected and mis-shaped tensors (naming them) without touching the model.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.IO;
using Topiary.Training;

namespace Topiary.Tests.Checkpoints;

public class CheckpointTests
{
    /// <summary>A leaf with a weight [out, in], a bias [out] and, optionally, a running-mean buffer.</summary>
    private sealed class TinyLayer : Module
    {
        public TinyLayer(int inputs, int outputs, int seed, bool withBuffer)
        {
            var rng = new Random(seed);
            Weight = new Parameter(Tensor.RandomNormal(rng, 1f, outputs, inputs));
            Bias = new Parameter(Tensor.RandomNormal(rng, 1f, outputs));
            RunningMean = withBuffer ? Tensor.RandomNormal(rng, 1f, outputs) : null;
        }

        public Parameter Weight { get; }
        public Parameter Bias { get; }
        public Tensor? RunningMean { get; }

        public override Tensor Forward(Tensor input, bool training) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;

        protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => [("weight", Weight), ("bias", Bias)];

        protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() =>
            RunningMean is null ? [] : [("running_mean", RunningMean)];
    }

    private sealed class TinyNet(int seed, int hidden = 3) : Module
    {
        public TinyLayer Fc1 { get; } = new(4, hidden, seed, withBuffer: true);
        public TinyLayer Fc2 { get; } = new(hidden, 2, seed + 1, withBuffer: false);

        public override Tensor Forward(Tensor input, bool training) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
        public override IEnumerable<(string Name, Module Module)> NamedChildren() => [("fc1", Fc1), ("fc2", Fc2)];
    }

    private static Tensor Mask(params float[] values) => new(values, 3, 4);

    [Fact]
    public void RoundTrip_RestoresValuesMasksAndBuffers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("net.safetensors");
        var source = new TinyNet(seed: 1);
        source.Fc1.Weight.SetMask(Mask(1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0));
        Checkpoint.Save(path, source, new Dictionary<string, string> { ["model"] = "tiny" });

        var data = Checkpoint.Load(path);
        Assert.Equal("tiny", data.Metadata["model"]);
        Assert.Equal(Checkpoint.Version, data.Metadata[Checkpoint.VersionKey]);
        Assert.Equal(
            new[] { "fc1.weight", "fc1.weight_mask", "fc1.bias", "fc2.weight", "fc2.bias", "fc1.running_mean" },
            data.Tensors.Select(t => t.Name));

        var target = new TinyNet(seed: 99);
        target.Fc2.Bias.SetMask(new Tensor([0f, 1f], 2)); // the checkpoint has no mask here: it must go
        Checkpoint.LoadInto(target, data);

        foreach (var ((name, p), (_, q)) in source.NamedParameters().Zip(target.NamedParameters()))
        {
            Assert.Equal(p.Value.Data, q.Value.Data);
            Assert.Equal(p.Mask?.Data, q.Mask?.Data);
            Assert.True(p.Mask is null == q.Mask is null, name);
        }
        Assert.Equal(source.Fc1.RunningMean!.Data, target.Fc1.RunningMean!.Data);
        Assert.Equal(0f, target.Fc1.Weight.Value[0, 1]);
        Assert.NotSame(data["fc1.weight_mask"], target.Fc1.Weight.Mask);
    }

    [Fact]
    public void LoadInto_ByPath_ReturnsMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("net.safetensors");
        Checkpoint.Save(path, new TinyNet(seed: 2), new Dictionary<string, string> { ["model"] = "lenet-5", ["epoch"] = "7" });
        var meta = Checkpoint.LoadInto(new TinyNet(seed: 3), path);
        Assert.Equal("7", meta["epoch"]);
    }

    [Fact]
    public void ShapeMismatch_NamesTensorAndShapes_AndLeavesModelUnchanged()
    {
        using var dir = new TempDirectory();
        string path = dir.File("net.safetensors");
        Checkpoint.Save(path, new TinyNet(seed: 1, hidden: 3), null);
        var target = new TinyNet(seed: 5, hidden: 5);
        float[] before = (float[])target.Fc2.Bias.Value.Data.Clone();

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadInto(target, Checkpoint.Load(path)));
        Assert.Contains(path, e.Message);
        Assert.Contains("'fc1.weight' has shape [3, 4], the model expects [5, 4]", e.Message);
        Assert.Contains("'fc2.weight' has shape [2, 3], the model expects [2, 5]", e.Message);
        Assert.Equal(before, target.Fc2.Bias.Value.Data);
    }

    [Fact]
    public void MissingAndUnexpectedTensors_AreNamed()
    {
        var source = new TinyNet(seed: 1);
        var tensors = Checkpoint.StateTensors(source).Where(t => t.Name != "fc2.bias").ToList();
        tensors.Add(("fc3.weight", new Tensor(1)));
        var data = new CheckpointData("hand-made", new Dictionary<string, string>(), tensors);

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadInto(new TinyNet(seed: 2), data));
        Assert.Contains("hand-made", e.Message);
        Assert.Contains("missing parameter 'fc2.bias' (shape [2])", e.Message);
        Assert.Contains("unexpected tensor 'fc3.weight'", e.Message);
    }

    [Fact]
    public void MissingBuffer_AndBadMask_AreNamed()
    {
        var tensors = Checkpoint.StateTensors(new TinyNet(seed: 1)).Where(t => t.Name != "fc1.running_mean").ToList();
        tensors.Add(("fc1.weight_mask", new Tensor(Enumerable.Repeat(0.5f, 12).ToArray(), 3, 4)));
        tensors.Add(("fc2.bias_mask", new Tensor(3)));
        var data = new CheckpointData("x", new Dictionary<string, string>(), tensors);

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadInto(new TinyNet(seed: 2), data));
        Assert.Contains("missing buffer 'fc1.running_mean'", e.Message);
        Assert.Contains("mask 'fc1.weight_mask' holds 0.5 at index 0", e.Message);
        Assert.Contains("mask 'fc2.bias_mask' has shape [3], the model expects [2]", e.Message);
    }

    [Fact]
    public void Save_FailsOnNameClash()
    {
        var net = new ClashNet();
        net.Weight.SetMask(new Tensor([1f], 1));
        using var dir = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(dir.File("c.safetensors"), net, null));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private sealed class ClashNet : Module
    {
        public Parameter Weight { get; } = new(new Tensor(1));
        public Parameter WeightMask { get; } = new(new Tensor(1));
        public override Tensor Forward(Tensor input, bool training) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
        protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => [("w", Weight), ("w_mask", WeightMask)];
    }
}
