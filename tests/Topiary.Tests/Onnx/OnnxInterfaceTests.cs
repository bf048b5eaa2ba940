// OnnxInterface: an imported file's interface written into model-file metadata comes back as the same export options
// (input names and full shapes, output names, opset); a model without it gets the defaults; an opset outside the
// exporter's range is clamped; metadata that is not the JSON import writes is refused naming the file and the keys.
using Topiary.Onnx;

namespace Topiary.Tests.Onnx;

public sealed class OnnxInterfaceTests
{
    private static OnnxImportInfo Info(long opset) =>
        new("dir/net.onnx", "pytorch", "2.1", 8, opset, "x", "y", [3, 32, 32], false, new Dictionary<string, string>(), new Dictionary<string, string>())
        {
            Inputs = [new OnnxTensorInfo("x", [-1, 3, 32, 32]), new OnnxTensorInfo("mask", [-1, 10])],
            Outputs = ["y", "aux"],
        };

    [Fact]
    public void Recorded_interface_comes_back_as_the_export_options()
    {
        var metadata = OnnxInterface.Metadata(Info(13), "dir/net.onnx");
        Assert.Equal("net.onnx", metadata["onnx.source"]);
        Assert.Equal("pytorch 2.1", metadata["onnx.producer"]);
        Assert.Equal("""[{"name":"x","shape":[-1,3,32,32]},{"name":"mask","shape":[-1,10]}]""", metadata[OnnxInterface.InputsKey]);
        var options = OnnxInterface.ExportOptions(metadata, "m.safetensors");
        Assert.Equal(["x", "mask"], options.InputNames!);
        Assert.Equal([[-1, 3, 32, 32], [-1, 10]], options.InputShapes!);
        Assert.Equal(["y", "aux"], options.OutputNames!);
        Assert.Equal(13, options.Opset);
    }

    [Fact]
    public void A_model_without_an_interface_gets_the_defaults_and_an_opset_out_of_range_is_clamped()
    {
        var defaults = OnnxInterface.ExportOptions(new Dictionary<string, string> { ["dataset"] = "mnist" }, "m.safetensors");
        Assert.Null(defaults.InputShapes);
        Assert.Equal(new OnnxExportOptions().Opset, defaults.Opset);
        var old = OnnxInterface.ExportOptions(OnnxInterface.Metadata(Info(1), "net.onnx"), "m.safetensors");
        Assert.Equal(OnnxExportOptions.MinOpset, old.Opset);
    }

    [Theory]
    [InlineData("{\"name\": \"x\"}")]
    [InlineData("[{\"name\": \"x\"}]")]
    [InlineData("[{\"name\": \"x\", \"shape\": [1, null]}]")]
    [InlineData("not json")]
    public void Metadata_that_is_not_the_import_json_is_refused_naming_the_file_and_keys(string inputs)
    {
        var metadata = new Dictionary<string, string> { [OnnxInterface.InputsKey] = inputs };
        var e = Assert.Throws<InvalidDataException>(() => OnnxInterface.ExportOptions(metadata, "m.safetensors"));
        Assert.StartsWith("m.safetensors: metadata 'onnx.inputs'/'onnx.outputs'", e.Message, StringComparison.Ordinal);
    }
}
