using System.Text.Json.Nodes;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Models;

public class ModelArchitectureTests
{
    [Fact]
    public void Every_describable_module_rebuilds_to_the_same_function()
    {
        var rng = new Random(1);
        var net = new Sequential()
            .Add("conv", new Conv2d(2, 4, (3, 3), rng, (1, 1), (1, 1)))
            .Add("bn", new BatchNorm2d(4))
            .Add("lrn", new LocalResponseNorm(3))
            .Add("res", new Residual(new Sequential(new Conv2d(4, 4, 1, rng), new ReLU())))
            .Add("cat", new Concat(new Identity(), new Conv2d(4, 2, 1, rng)))
            .Add("pool", new MaxPool2d(2))
            .Add("avg", new AvgPool2d(1))
            .Add("drop", new Dropout(0.3f, 7))
            .Add("flat", new Flatten())
            .Add("fc", new Linear(6 * 3 * 3, 5, rng, bias: false))
            .Add("relu", new ReLU());
        var json = ModelArchitecture.Describe(net).ToJsonString();
        var rebuilt = ModelArchitecture.Build(JsonNode.Parse(json));
        Assert.Equal(json, ModelArchitecture.Describe(rebuilt).ToJsonString());
        // The in-memory description (floats not yet serialised) rebuilds too.
        Assert.Equal(json, ModelArchitecture.Describe(ModelArchitecture.Build(ModelArchitecture.Describe(net))).ToJsonString());
        foreach (var ((na, pa), (nb, pb)) in net.NamedParameters().Zip(rebuilt.NamedParameters()))
        {
            Assert.Equal(na, nb);
            pb.Value.CopyFrom(pa.Value);
        }
        var x = Tensor.RandomNormal(new Random(2), 1f, 2, 2, 6, 6);
        Assert.Equal(net.Forward(x, false).Data, rebuilt.Forward(x, false).Data);
    }

    [Fact]
    public void Groups_dilation_asymmetric_pads_and_pool_modes_round_trip()
    {
        var rng = new Random(3);
        var net = new Sequential()
            .Add("stem", new Conv2d(3, 8, (3, 3), rng, (2, 2), (0, 0, 1, 1)))                 // TF "SAME" stride 2
            .Add("dw", new Conv2d(8, 8, 3, rng, padding: 2, bias: false, groups: 8, dilation: 2))  // depthwise, dilated
            .Add("pw", new Conv2d(8, 12, (1, 3), rng, padding: (0, 1), groups: 4, dilation: (1, 2)))
            .Add("max", new MaxPool2d(3, 2, 1, ceilMode: true))
            .Add("avg", new AvgPool2d((3, 2), (1, 2), (1, 0, 1, 1), ceilMode: true, countIncludePad: false))
            .Add("gmp", new GlobalMaxPool2d());
        var json = ModelArchitecture.Describe(net).ToJsonString();
        Assert.Contains("\"pads\":[0,0,1,1]", json);
        Assert.Contains("\"groups\":8", json);
        Assert.Contains("\"dilation\":[2,2]", json);
        Assert.Contains("\"ceil_mode\":true", json);
        Assert.Contains("\"count_include_pad\":false", json);
        Assert.Contains("\"kernel\":[3,2]", json);
        Assert.Contains("GlobalMaxPool2d", json);
        var rebuilt = ModelArchitecture.Build(JsonNode.Parse(json));
        Assert.Equal(json, ModelArchitecture.Describe(rebuilt).ToJsonString());
        foreach (var ((na, pa), (nb, pb)) in net.NamedParameters().Zip(rebuilt.NamedParameters()))
        {
            Assert.Equal(na, nb);
            Assert.Equal(pa.Value.Shape.ToArray(), pb.Value.Shape.ToArray());
            pb.Value.CopyFrom(pa.Value);
        }
        var x = Tensor.RandomNormal(new Random(4), 1f, 2, 3, 15, 17);
        Assert.Equal(net.Forward(x, false).Data, rebuilt.Forward(x, false).Data);

        // The budget counts a grouped weight as [out, in/groups, kh, kw]: exactly enough values pass, one fewer fails.
        long values = net.ParameterCount();
        ModelArchitecture.Build(JsonNode.Parse(json), values);
        Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse(json), values - 1));
    }

    [Fact]
    public void Descriptions_without_the_new_fields_read_as_the_old_defaults_and_old_models_describe_as_before()
    {
        const string old = """
            {"type":"Sequential","children":[
             {"name":"conv","module":{"type":"Conv2d","in":2,"out":4,"kernel":[3,3],"stride":[1,1],"padding":[1,1],"bias":true}},
             {"name":"pool","module":{"type":"MaxPool2d","kernel":2,"stride":2,"padding":0}},
             {"name":"avg","module":{"type":"AvgPool2d","kernel":3,"stride":1,"padding":1}}]}
            """;
        var net = (Sequential)ModelArchitecture.Build(JsonNode.Parse(old));
        var conv = (Conv2d)net["conv"];
        Assert.Equal((1, (1, 1), (1, 1, 1, 1)), (conv.Groups, conv.Dilation, conv.Pads));
        var avg = (AvgPool2d)net["avg"];
        Assert.True(avg.CountIncludePad);
        Assert.False(avg.CeilMode);
        Assert.False(((MaxPool2d)net["pool"]).CeilMode);
        Assert.Equal(JsonNode.Parse(old)!.ToJsonString(), ModelArchitecture.Describe(net).ToJsonString());

        var bad = Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse(
            """{"type":"Conv2d","in":6,"out":4,"kernel":[3,3],"stride":[1,1],"padding":[0,0],"groups":4,"bias":true}""")));
        Assert.Contains("groups = 4", bad.Message);
        Assert.Contains("must be [top, left, bottom, right]", Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse(
            """{"type":"MaxPool2d","kernel":2,"stride":2,"pads":[0,1]}"""))).Message);
    }

    [Fact]
    public void Invalid_descriptions_name_the_path_and_field()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse("""{"type":"Sequential","children":[{"name":"a","module":{"type":"Linear","in":3}}]}""")));
        Assert.Contains("$.children[0].module.out", ex.Message);
        Assert.Contains("'Warp'", Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse("""{"type":"Warp"}"""))).Message);
        Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse("""{"type":"Linear","in":-3,"out":2,"bias":true}""")));
    }

    [Fact]
    public void A_physically_shrunk_zoo_model_saves_and_loads_through_its_architecture()
    {
        string path = Path.Combine(Path.GetTempPath(), $"shrunk-{Guid.NewGuid():N}.safetensors");
        try
        {
            var model = (Sequential)ModelZoo.Create("lenet-300-100", 3);
            var fc2 = (Linear)model["fc2"];
            var mask = new Tensor(fc2.Weight.Value.Shape.ToArray());
            for (int o = 0; o < 50; o++) for (int i = 0; i < 300; i++) mask[o * 300 + i] = 1; // 50 of 100 units keep inputs
            fc2.Weight.SetMask(mask);
            ((Linear)model["fc3"]).Weight.Value.Clear(); // and no unit feeds the logits any more from fc2's last 50
            Topiary.Pruning.PruningState.MakePermanent(model);
            Topiary.Pruning.Structure.DeadNeuronRemover.Remove(model);
            ModelFile.Save(path, "lenet-300-100", model);
            var loaded = ModelFile.Load(path);
            Assert.Equal(model.ParameterCount(), loaded.Network.ParameterCount());
            Assert.True(loaded.Network.ParameterCount() < 266_610);
            var x = Tensor.RandomUniform(new Random(4), 1f, 3, 1, 28, 28);
            Assert.Equal(model.Forward(x, false).Data, loaded.Network.Forward(x, false).Data);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
