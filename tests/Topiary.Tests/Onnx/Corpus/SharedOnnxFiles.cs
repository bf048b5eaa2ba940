// SharedOnnxFiles: the real ONNX files under <repo>/../shared/models/{wild,onnx-zoo-light} (the repository root is the
// first folder above the test binaries holding Topiary.slnx, as in OnnxTestSupport.SharedModelPath), each returned only
// after its SHA-256 matches the folder's SHA256SUMS. The file lists are fixed here so a missing file fails its test
// instead of silently dropping it; a test checks them against the folders.
using System.Security.Cryptography;

namespace Topiary.Tests.Onnx.Corpus;

internal static class SharedOnnxFiles
{
    public const string Wild = "wild";
    public const string ZooLight = "onnx-zoo-light";
    public const string ZipMapFile = "unsupported-squeezenet-zipmap.onnx";

    /// <summary>Files that must import and match ONNX Runtime: (folder, file).</summary>
    public static TheoryData<string, string> Supported() => new()
    {
        { Wild, "cntk-mnist.onnx" },
        { Wild, "pytorch-mnist-logsoftmax.onnx" },
        { Wild, "pytorch-resnet20-cifar.onnx" },
        { Wild, "tf2onnx-nhwc-conv-add-relu.onnx" },
        { ZooLight, "light_bvlc_alexnet.onnx" },
        { ZooLight, "light_densenet121.onnx" },
        { ZooLight, "light_inception_v1.onnx" },
        { ZooLight, "light_inception_v2.onnx" },
        { ZooLight, "light_resnet50.onnx" },
        { ZooLight, "light_shufflenet.onnx" },
        { ZooLight, "light_squeezenet.onnx" },
        { ZooLight, "light_vgg19.onnx" },
        { ZooLight, "light_zfnet512.onnx" },
    };

    /// <summary>The folder <c>&lt;repo&gt;/../shared/models/<paramref name="folder"/></c>.</summary>
    public static string Folder(string folder)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Topiary.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("Topiary.slnx not found above " + AppContext.BaseDirectory);
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models", folder));
        Assert.True(Directory.Exists(path), $"Shared model folder not found at {path}.");
        return path;
    }

    /// <summary>The path of <paramref name="file"/> in <paramref name="folder"/>, after checking its SHA-256 against SHA256SUMS.</summary>
    public static string Verified(string folder, string file)
    {
        string dir = Folder(folder);
        string path = Path.Combine(dir, file);
        Assert.True(File.Exists(path), $"Shared model not found at {path}.");
        var sums = Sums(dir);
        Assert.True(sums.TryGetValue(file, out string? expected), $"{file} is not listed in {Path.Combine(dir, "SHA256SUMS")}.");
        string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.True(expected == actual, $"{path}: sha256 {actual}, SHA256SUMS says {expected}.");
        return path;
    }

    /// <summary>file name → lower-case hex sha256, from the folder's SHA256SUMS ("&lt;hex&gt;  &lt;name&gt;" lines).</summary>
    public static Dictionary<string, string> Sums(string dir)
    {
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(Path.Combine(dir, "SHA256SUMS")))
        {
            string[] parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2) sums[parts[1].TrimStart('*')] = parts[0].ToLowerInvariant();
        }
        return sums;
    }
}
