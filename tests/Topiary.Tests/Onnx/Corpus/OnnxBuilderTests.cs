// OnnxBuilder's contract, one test per property: the opset decides each operator's form (attribute vs input), IR < 4
// repeats initializers in graph.input, the naming style decides node and tensor names, constants go where the style
// says, the same seed gives the same bytes, and misuse is refused.
using Google.Protobuf;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Onnx.Corpus;

public class OnnxBuilderTests
{
    private static OnnxBuilder Builder(long opset, OnnxNaming naming = OnnxNaming.TorchNumbered, ConstantStyle constants = ConstantStyle.Initializer, int seed = 1) =>
        new("g", opset, opset < 9 ? 3 : 7, "test", "", naming, seed) { Constants = constants };

    private static NodeProto Single(OnnxBuilder b, string op) => b.Graph.Node.Single(n => n.OpType == op);

    [Theory]
    [InlineData(11, true)]
    [InlineData(13, false)]
    public void Corpus_builder_unsqueeze_and_squeeze_axes_are_attributes_below_opset_13(long opset, bool attribute)
    {
        var b = Builder(opset);
        string x = b.Input("x", "N", 4);
        b.Squeeze(b.Unsqueeze(x, 2), 2);
        foreach (var node in b.Graph.Node.Where(n => n.OpType is "Unsqueeze" or "Squeeze"))
        {
            Assert.Equal(attribute, node.Attribute.Any(a => a.Name == "axes"));
            Assert.Equal(attribute ? 1 : 2, node.Input.Count);
        }
    }

    [Theory]
    [InlineData(17, true)]
    [InlineData(18, false)]
    public void Corpus_builder_reduce_mean_axes_are_an_attribute_below_opset_18(long opset, bool attribute)
    {
        var b = Builder(opset);
        b.ReduceMean(b.Input("x", "N", 2, 3, 3), [2, 3], keepDims: false);
        var node = Single(b, "ReduceMean");
        Assert.Equal(attribute, node.Attribute.Any(a => a.Name == "axes"));
        Assert.Equal(0, node.Attribute.Single(a => a.Name == "keepdims").I);
    }

    [Theory]
    [InlineData(9, "min")]
    [InlineData(11, null)]
    public void Corpus_builder_clip_bounds_are_attributes_below_opset_11(long opset, string? attribute)
    {
        var b = Builder(opset);
        b.Clip(b.Input("x", "N", 4), 0, 6);
        var node = Single(b, "Clip");
        Assert.Equal(attribute, node.Attribute.Select(a => a.Name).FirstOrDefault());
        Assert.Equal(attribute is null ? 3 : 1, node.Input.Count);
    }

    [Fact]
    public void Corpus_builder_split_uses_the_form_of_its_opset()
    {
        var b11 = Builder(11);
        b11.Split(b11.Input("x", "N", 4), 1, 2, 2);
        Assert.Equal([2L, 2L], Single(b11, "Split").Attribute.Single(a => a.Name == "split").Ints);
        var b13 = Builder(13);
        b13.Split(b13.Input("x", "N", 4), 1, 2, 2);
        Assert.Equal(2, Single(b13, "Split").Input.Count);
        var b18 = Builder(18);
        b18.SplitEqual(b18.Input("x", "N", 4), 1, 2);
        Assert.Equal(2, Single(b18, "Split").Attribute.Single(a => a.Name == "num_outputs").I);
        Assert.Throws<InvalidOperationException>(() => b13.SplitEqual("x", 1, 2));
    }

    [Fact]
    public void Corpus_builder_below_ir_4_lists_initializers_in_graph_inputs()
    {
        var b = Builder(7);
        string x = b.Input("x", 1, 4);
        b.Output(b.MatMul(x, b.MatMulWeight("w", 4, 2)), 1, 2);
        var model = b.Build();
        Assert.Equal(["x", "w"], model.Graph.Input.Select(i => i.Name));
        var ir7 = Builder(13);
        ir7.Output(ir7.MatMul(ir7.Input("x", 1, 4), ir7.MatMulWeight("w", 4, 2)), 1, 2);
        Assert.Equal(["x"], ir7.Build().Graph.Input.Select(i => i.Name));
    }

    [Fact]
    public void Corpus_builder_naming_styles_follow_the_exporters()
    {
        var torch = Builder(13, OnnxNaming.TorchScoped);
        string t = torch.At("layer1/conv1").Relu(torch.Input("x", "N", 4));
        Assert.Equal("/layer1/conv1/Relu_output_0", t);
        Assert.Equal("/layer1/conv1/Relu", torch.Graph.Node[0].Name);
        var tf = Builder(13, OnnxNaming.TfScoped);
        Assert.Equal("model/act/Relu:0", tf.At("model/act/Relu").Relu(tf.Input("x", "N", 4)));
        var caffe2 = Builder(9, OnnxNaming.Caffe2);
        Assert.Equal("r0", caffe2.Relu(caffe2.Input("x", 1, 4)));
        Assert.Equal("n0", caffe2.Graph.Node[0].Name);
        var old = Builder(9, OnnxNaming.TorchUnnamed);
        old.Relu(old.Input("x", 1, 4));
        Assert.Equal("", old.Graph.Node[0].Name);
    }

    [Fact]
    public void Corpus_builder_constants_go_where_the_style_says()
    {
        var nodes = Builder(13, constants: ConstantStyle.Node);
        nodes.Reshape(nodes.Input("x", "N", 4), -1, 2);
        Assert.Empty(nodes.Graph.Initializer);
        Assert.Equal(TensorProto.Types.DataType.Int64, (TensorProto.Types.DataType)Single(nodes, "Constant").Attribute[0].T.DataType);
        var inits = Builder(13);
        inits.Reshape(inits.Input("x", "N", 4), -1, 2);
        Assert.Single(inits.Graph.Initializer);
        Assert.DoesNotContain(inits.Graph.Node, n => n.OpType == "Constant");
    }

    [Fact]
    public void Corpus_builder_same_seed_gives_same_bytes_and_other_seeds_other_weights()
    {
        byte[] Make(int seed)
        {
            var b = Builder(13, seed: seed);
            return b.Output(b.MatMul(b.Input("x", "N", 4), b.MatMulWeight("w", 4, 3)), "N", 3).Build().ToByteArray();
        }
        Assert.Equal(Make(5), Make(5));
        Assert.NotEqual(Make(5), Make(6));
    }

    [Fact]
    public void Corpus_builder_refuses_unknown_outputs_duplicate_names_and_ops_above_its_opset()
    {
        var b = Builder(13);
        b.Input("x", "N", 4);
        Assert.Throws<InvalidOperationException>(() => b.Output("nothing"));
        b.Bias("w", 4);
        Assert.Throws<InvalidOperationException>(() => b.Bias("w", 4));
        Assert.Throws<InvalidOperationException>(() => b.HardSwish("x"));
        Assert.Throws<InvalidOperationException>(() => Builder(13).Build());
    }
}
