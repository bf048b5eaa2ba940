// Checkpoint fuzzing: mutations of safetensors files written by our own writers, through the two readers the CLI
// uses — ModelFile.Load (model files: a non-zoo network rebuilt from its JSON architecture, with masks and BatchNorm
// buffers, and a zoo LeNet-300-100) and TrainingCheckpoint.Restore (a training state with optimizer tensors, counters
// and the history JSON, restored into a fresh model and trainer). Documented: InvalidDataException only. The
// format-aware mutator edits the JSON header — a number replaced by an edge value (shapes, data_offsets, and the
// sizes inside the architecture string), text deleted or duplicated, a dtype renamed, byte-level changes — and then
// rewrites the 8-byte header length so the edit reaches the JSON checks; sometimes the data section is cut or grown.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class CheckpointFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = FuzzHarness.ScratchDirectory("checkpoint");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, string> Identity = new(StringComparer.Ordinal) { ["model"] = "tiny", ["seed"] = "3" };

    /// <summary>conv(1→2, 3×3) → BN → ReLU → pool 2 → flatten → fc(18→3), for 8×8 inputs; fc.weight carries a mask.</summary>
    internal static Sequential Tiny(int seed)
    {
        var rng = new Random(seed);
        var net = new Sequential()
            .Add("conv", new Conv2d(1, 2, 3, rng))
            .Add("bn", new BatchNorm2d(2))
            .Add("relu", new ReLU())
            .Add("pool", new MaxPool2d(2))
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(18, 3, rng));
        var fc = net.NamedParameters().First(p => p.Name == "fc.weight").Parameter;
        var mask = new Tensor(fc.Value.Shape.ToArray());
        for (int i = 0; i < mask.Length; i++) mask[i] = i % 3 == 0 ? 0 : 1;
        fc.SetMask(mask);
        return net;
    }

    private static Trainer TinyTrainer(Module net) => new(net, new Sgd(net.Parameters(), 0.1f, momentum: 0.9f), new ConstantLr(0.1f));

    private byte[] Written(Action<string> write)
    {
        string path = Path.Combine(_dir, "seed.safetensors");
        write(path);
        return File.ReadAllBytes(path);
    }

    private FuzzSeed[] Seeds()
    {
        var net = Tiny(3);
        var trainer = TinyTrainer(net);
        var rng = new Random(4);
        for (int step = 0; step < 2; step++)
            trainer.Step(new Batch(Tensor.RandomUniform(rng, 1f, 4, 1, 8, 8), [0, 1, 2, 1]));
        var history = new List<EpochSummary> { new(1, 0.9, 0.5, 0.8, 0.1, 100), new(2, 0.7, 0.4, 0.6, 0.1, 100) };
        return
        [
            new("model-file", Written(p => ModelFile.Save(p, "tiny", net, new Dictionary<string, string> { ["dataset"] = "mnist" })), Weight: 4),
            new("training-state", Written(p => TrainingCheckpoint.Save(p, Identity, net, trainer, history)), Weight: 4),
            new("lenet-300-100", Written(p => ModelFile.Save(p, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1)))),
        ];
    }

    internal FuzzTarget ModelFileTarget()
    {
        string path = Path.Combine(_dir, "input.safetensors");
        return new FuzzTarget("checkpoint", Seeds(), input =>
        {
            File.WriteAllBytes(path, input);
            var loaded = ModelFile.Load(path);
            Assert.NotEmpty(loaded.Network.Parameters());
        }, typeof(InvalidDataException))
        {
            Structured = HeaderMutation,
        };
    }

    internal FuzzTarget TrainingStateTarget()
    {
        string path = Path.Combine(_dir, "input.ckpt");
        var seeds = Seeds().Select(s => s.Name == "training-state" ? s with { Weight = 8 } : s).ToArray();
        return new FuzzTarget("training-checkpoint", seeds, input =>
        {
            File.WriteAllBytes(path, input);
            var net = Tiny(5);
            var history = new List<EpochSummary>();
            int epoch = TrainingCheckpoint.Restore(path, Identity, net, TinyTrainer(net), history);
            Assert.True(epoch >= 0);
        }, typeof(InvalidDataException))
        {
            Structured = HeaderMutation,
        };
    }

    /// <summary>Edits the JSON header of a safetensors file and rewrites its length field.</summary>
    internal static byte[] HeaderMutation(byte[] file, Random rng)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        byte[] data = file.AsSpan(8 + (int)n).ToArray();
        switch (rng.Next(6))
        {
            case 0:
            case 1:
                header = ByteMutator.ReplaceNumber(header, rng) ?? header;
                break;
            case 2:
            {
                int at = rng.Next(header.Length), len = Math.Min(header.Length - at, 1 + rng.Next(40));
                header = header.Remove(at, len);
                break;
            }
            case 3:
            {
                int at = rng.Next(header.Length), len = Math.Min(header.Length - at, 1 + rng.Next(80));
                header = header.Insert(rng.Next(header.Length), header.Substring(at, len));
                break;
            }
            case 4:
                header = header.Replace("F32", rng.Next(2) == 0 ? "F16" : "I64", StringComparison.Ordinal);
                break;
            default:
                header = ByteMutator.Text(ByteMutator.Mutate(Encoding.UTF8.GetBytes(header),
                    new FuzzTarget("header", [new("header", Encoding.UTF8.GetBytes(header))], _ => { }, typeof(Exception)), rng));
                break;
        }
        if (rng.Next(4) == 0) data = rng.Next(2) == 0 ? data.AsSpan(0, rng.Next(data.Length + 1)).ToArray() : [.. data, .. new byte[4 * (1 + rng.Next(8))]];
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)headerBytes.Length);
        headerBytes.CopyTo(result, 8);
        data.CopyTo(result, 8 + headerBytes.Length);
        return result;
    }

    private static byte[] Frame(byte[] header)
    {
        var file = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }

    // Found by the fuzzer: JsonDocument accepts invalid UTF-8 inside strings, and reading the string then threw
    // InvalidOperationException ("Cannot transcode invalid UTF-8 JSON text to UTF-16 string").
    [Theory]
    [InlineData("metadata value")]
    [InlineData("tensor name")]
    public void Regression_invalid_utf8_in_a_header_string_is_InvalidDataException(string where)
    {
        byte[] header = where == "tensor name"
            ? [.. "{\""u8, 0xFF, .. "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"u8]
            : [.. "{\"__metadata__\":{\"a\":\""u8, 0xC3, 0x28, .. "\"}}"u8];
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(Frame(header)), "bad.safetensors"));
        Assert.StartsWith("bad.safetensors: header is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regression_a_lone_surrogate_escape_is_rejected_or_read_but_never_an_undocumented_exception()
    {
        byte[] header = "{\"__metadata__\":{\"a\":\"\\ud800\"}}"u8.ToArray();
        try
        {
            SafeTensors.Read(new MemoryStream(Frame(header)), "surrogate.safetensors");
        }
        catch (InvalidDataException e)
        {
            Assert.StartsWith("surrogate.safetensors: ", e.Message, StringComparison.Ordinal);
        }
    }

    // A corrupt size inside the architecture JSON used to be allocated before the tensors were compared with it:
    // Linear(268435456, 3) is 805M floats (3.2 GB). The rebuild now stops at the file's own number of values.
    [Fact]
    public void Regression_architecture_claiming_a_huge_layer_is_rejected_before_allocating()
    {
        string path = Path.Combine(_dir, "huge.safetensors");
        ModelFile.Save(path, "tiny", Tiny(3));
        var file = SafeTensors.Read(path);
        var meta = new Dictionary<string, string>(file.Metadata);
        var architecture = JsonNode.Parse(meta[ModelFile.ArchitectureKey])!;
        architecture["children"]![5]!["module"]!["in"] = 268435456;
        meta[ModelFile.ArchitectureKey] = architecture.ToJsonString();
        SafeTensors.Write(path, meta, file.Tensors);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("children[5].module (Linear)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_model_files_load_or_throw_InvalidDataException()
    {
        var report = FuzzHarness.Run(ModelFileTarget());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(CheckpointFuzzTests) + "." + nameof(Mutated_model_files_load_or_throw_InvalidDataException));
        FuzzHarness.AssertMutatorBalance(report);
    }

    [Fact]
    public void Mutated_training_checkpoints_restore_or_throw_InvalidDataException()
    {
        var report = FuzzHarness.Run(TrainingStateTarget());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(CheckpointFuzzTests) + "." + nameof(Mutated_training_checkpoints_restore_or_throw_InvalidDataException));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
