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
