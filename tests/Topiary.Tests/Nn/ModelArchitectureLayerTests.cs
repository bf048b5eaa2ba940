// ModelArchitecture entries of the activation and shape layers: every layer (with its non-default settings,
// infinite bounds and INT64 slice ends) describes, rebuilds from the JSON text and from the in-memory description,
// and computes the same function; bad specs in a description are InvalidDataExceptions naming the path and value.
using System.Text.Json.Nodes;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class ModelArchitectureLayerTests
{
    public static TheoryData<string, Module, int[]> Layers => new()
    {
        { "leaky", new LeakyReLU(0.2f), [2, 3, 4] },
        { "hardtanh", new Hardtanh(-0.5f, 2f), [2, 3, 4] },
        { "relu6", Hardtanh.ReLU6(), [2, 3, 4] },
        { "clip-min-only", new Hardtanh(0f, float.PositiveInfinity), [2, 3, 4] },
        { "clip-max-only", new Hardtanh(float.NegativeInfinity, 0.25f), [2, 3, 4] },
        { "sigmoid", new Sigmoid(), [2, 3, 4] },
        { "tanh", new Tanh(), [2, 3, 4] },
        { "hardsigmoid", new HardSigmoid(1f / 6, 0.5f), [2, 3, 4] },
        { "hardswish", new HardSwish(), [2, 3, 4] },
        { "softmax", new Softmax(-1), [2, 3, 4] },
        { "softmax-legacy", new Softmax(1, coerceTo2D: true), [2, 3, 4] },
        { "logsoftmax", new LogSoftmax(0), [2, 3, 4] },
        { "logsoftmax-legacy", new LogSoftmax(-2, coerceTo2D: true), [2, 3, 4] },
        { "permute", new Permute(0, 2, 1), [2, 3, 4] },
        { "reshape", new Reshape([0, -1, 2]), [2, 3, 4] },
        { "flatten", new Flatten(), [2, 3, 4] },
        { "flatten-axis", new Flatten(-1), [2, 3, 4] },
        { "pad-constant", new Pad([0, 1, -1, 0, 2, 1], PadMode.Constant, float.NegativeInfinity), [2, 3, 4] },
        { "pad-reflect", new Pad([0, 1, 2, 0, 1, 3], PadMode.Reflect), [2, 3, 4] },
        { "pad-edge", new Pad([1, 0, 0, 0, 2, 5], PadMode.Edge, 3f), [2, 3, 4] },
        { "mean", new ReduceMean([-1, 1], keepDims: false), [2, 3, 4] },
        { "mean-all", new ReduceMean([]), [2, 3, 4] },
        { "slice", new Slice([-1, 0], [long.MinValue, long.MaxValue], [2, -2], [-2, 2]), [2, 3, 4] },
        { "slice-defaults", new Slice([1], [2]), [2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_layer_round_trips_through_its_description(string name, Module layer, int[] shape)
    {
        var net = new Sequential().Add(name, layer);
        string json = ModelArchitecture.Describe(net).ToJsonString();
        var fromText = ModelArchitecture.Build(JsonNode.Parse(json));
        var fromMemory = ModelArchitecture.Build(ModelArchitecture.Describe(net));
        Assert.Equal(json, ModelArchitecture.Describe(fromText).ToJsonString());
        Assert.Equal(json, ModelArchitecture.Describe(fromMemory).ToJsonString());
        Assert.Equal(layer.ToString(), ((Sequential)fromText)[name].ToString());
        var x = Tensor.RandomNormal(new Random(3), 2f, shape);
        var expected = net.Forward(x, false).Clone();
        Assert.Equal(expected.Shape.ToArray(), fromText.Forward(x, false).Shape.ToArray());
        Assert.Equal(expected.Data, fromText.Forward(x, false).Data);
        Assert.Equal(expected.Data, fromMemory.Forward(x, false).Data);
    }

    [Fact]
    public void Flatten_with_the_default_axis_keeps_its_old_description()
    {
        Assert.Equal("""{"type":"Flatten"}""", ModelArchitecture.Describe(new Flatten()).ToJsonString());
        Assert.Equal("""{"type":"Flatten","axis":2}""", ModelArchitecture.Describe(new Flatten(2)).ToJsonString());
        Assert.Equal(1, ((Flatten)ModelArchitecture.Build(JsonNode.Parse("""{"type":"Flatten"}"""))).Axis);
    }

    [Theory]
    [InlineData("""{"type":"Reshape","shape":[0,-1,-1]}""", "more than one -1")]
    [InlineData("""{"type":"Reshape","shape":[0,"x"]}""", "module.shape[1]")]
    [InlineData("""{"type":"Permute","perm":[0,0]}""", "0 appears twice")]
    [InlineData("""{"type":"Pad","pads":[1,2,3],"mode":"constant","value":0}""", "[1, 2, 3]")]
    [InlineData("""{"type":"Pad","pads":[1,2],"mode":"wrap","value":0}""", "'wrap'")]
    [InlineData("""{"type":"Pad","pads":[1,2],"mode":"edge","value":"big"}""", "\"big\"")]
    [InlineData("""{"type":"Slice","starts":[0],"ends":[1],"axes":[0],"steps":[0]}""", "has a 0 at position 0")]
    [InlineData("""{"type":"Slice","starts":[0],"ends":[1],"axes":[0]}""", "'steps' must be an array")]
    [InlineData("""{"type":"ReduceMean","axes":[2,2],"keep_dims":true}""", "lists axis 2 twice")]
    [InlineData("""{"type":"Hardtanh","min":3,"max":1}""", "[3, 1]")]
    [InlineData("""{"type":"LeakyReLU"}""", "'negative_slope'")]
    [InlineData("""{"type":"Softmax","axis":1}""", "'coerce_to_2d'")]
    [InlineData("""{"type":"LogSoftmax","coerce_to_2d":false}""", "module.axis")]
    public void Invalid_descriptions_name_the_path_and_the_value(string module, string fragment)
    {
        string json = $$"""{"type":"Sequential","children":[{"name":"a","module":{{module}}}]}""";
        var ex = Assert.Throws<InvalidDataException>(() => ModelArchitecture.Build(JsonNode.Parse(json)));
        Assert.Contains("$.children[0].module", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }
}
