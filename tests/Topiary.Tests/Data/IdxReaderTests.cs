// IdxReader: synthetic files (plain and gzip) parse; each defect is rejected with a message naming
// the file and the field.
using Topiary.Data;
using Topiary.Tests.IO;

namespace Topiary.Tests.Data;

public class IdxReaderTests
{
    [Fact]
    public void ReadImages_ParsesDimensionsAndPixels()
    {
        using var dir = new TempDirectory();
        string path = dir.File("images-idx3-ubyte");
        byte[] bytes = IdxTestFiles.Images(3, 4, 5);
        File.WriteAllBytes(path, bytes);
        var images = IdxReader.ReadImages(path);
        Assert.Equal(new[] { 3, 4, 5 }, images.Dimensions.ToArray());
        Assert.Equal(3, images.Count);
        Assert.Equal(bytes[16..], images.Data);
        Assert.Equal(path, images.Source);
    }

    [Fact]
    public void ReadLabels_ParsesPlainAndGzip()
    {
        using var dir = new TempDirectory();
        byte[] bytes = IdxTestFiles.Labels(25);
        File.WriteAllBytes(dir.File("plain"), bytes);
        File.WriteAllBytes(dir.File("packed.gz"), IdxTestFiles.Gzip(bytes));
        byte[] expected = Enumerable.Range(0, 25).Select(i => (byte)(i % 10)).ToArray();
        Assert.Equal(expected, IdxReader.ReadLabels(dir.File("plain")));
        Assert.Equal(expected, IdxReader.ReadLabels(dir.File("packed.gz")));
    }

    [Fact]
    public void ReadPair_ChecksCounts()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("img"), IdxTestFiles.Images(4, 2, 2));
        File.WriteAllBytes(dir.File("lbl"), IdxTestFiles.Labels(4));
        File.WriteAllBytes(dir.File("lbl5"), IdxTestFiles.Labels(5));
        var (images, labels) = IdxReader.ReadPair(dir.File("img"), dir.File("lbl"));
        Assert.Equal(4, images.Count);
        Assert.Equal(4, labels.Length);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadPair(dir.File("img"), dir.File("lbl5")));
        Assert.Contains(dir.File("lbl5"), e.Message);
        Assert.Contains("label count 5", e.Message);
        Assert.Contains("image count 4", e.Message);
    }

    [Fact]
    public void WrongMagic_LabelsReadAsImages()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels");
        File.WriteAllBytes(path, IdxTestFiles.Labels(3));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Fact]
    public void WrongMagic_NonZeroLeadingBytes()
    {
        var bytes = IdxTestFiles.Labels(3);
        bytes[0] = 0x50; // e.g. a PNG or text file
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(bytes, "x.idx", expectedRank: 1));
        Assert.Contains("x.idx", e.Message);
        Assert.Contains("wrong magic number 0x50000801", e.Message);
    }

    [Fact]
    public void UnsupportedDtype_IsNamed()
    {
        var bytes = IdxTestFiles.Idx(0x0D, [2], new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(bytes, "floats.idx"));
        Assert.Contains("floats.idx", e.Message);
        Assert.Contains("dtype 0x0D", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Truncated_HeaderAndData()
    {
        byte[] full = IdxTestFiles.Images(2, 3, 3);
        var e1 = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(full.AsSpan(0, 10), "t.idx", 3));
        Assert.Contains("t.idx", e1.Message);
        Assert.Contains("truncated header", e1.Message);

        var e2 = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(full.AsSpan(0, full.Length - 1), "t.idx", 3));
        Assert.Contains("truncated data", e2.Message);
        Assert.Contains("need 18 bytes", e2.Message);
        Assert.Contains("found 17", e2.Message);

        var e3 = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(full.AsSpan(0, 2), "t.idx", 3));
        Assert.Contains("too short", e3.Message);
    }

    [Fact]
    public void TruncatedGzipFile_IsRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cut.gz");
        byte[] gz = IdxTestFiles.Gzip(IdxTestFiles.Images(50, 28, 28));
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TrailingBytes_AreRejected()
    {
        byte[] bytes = [.. IdxTestFiles.Labels(3), 0, 0];
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(bytes, "l.idx", 1));
        Assert.Contains("l.idx", e.Message);
        Assert.Contains("2 trailing bytes", e.Message);
    }

    [Fact]
    public void DimensionCount_IsChecked()
    {
        var bytes = IdxTestFiles.Idx(0x08, [2, 2], new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Parse(bytes, "m.idx", expectedRank: 3));
        Assert.Contains("dimension count 2, expected 3", e.Message);
        Assert.Equal(new[] { 2, 2 }, IdxReader.Parse(bytes, "m.idx").Dimensions.ToArray());

        var zero = IdxTestFiles.Idx(0x08, [], []);
        Assert.Contains("dimension count is 0", Assert.Throws<InvalidDataException>(() => IdxReader.Parse(zero, "z.idx")).Message);
    }

    [Fact]
    public void EmptyDataset_IsValid()
    {
        var data = IdxReader.Parse(IdxTestFiles.Idx(0x08, [0, 28, 28], []), "empty", 3);
        Assert.Equal(0, data.Count);
        Assert.Empty(data.Data);
    }

    [Fact]
    public void FromIdx_AppliesTransformAndShape()
    {
        var images = IdxReader.Parse(IdxTestFiles.Idx(0x08, [2, 1, 2], [0, 255, 128, 1]), "img", 3);
        var ds = ImageDataset.FromIdx("tiny", images, [3, 9], 10, PixelTransform.Caffe);
        Assert.Equal(new[] { 0f, 255 * 0.00390625f, 0.5f, 0.00390625f }, ds.Images);
        Assert.Equal(new[] { 3, 9 }, ds.Labels);
        Assert.Equal(new[] { 2, 1, 1, 2 }, ds.AsTensor().Shape.ToArray());
        Assert.Equal(new[] { 2, 2 }, ds.AsTensor(flat: true).Shape.ToArray());

        var norm = ImageDataset.FromIdx("tiny", images, [3, 9], 10, PixelTransform.MnistNormalize);
        Assert.Equal((float)((0 / 255.0 - 0.1307) / 0.3081), norm.Images[0], 6);
        Assert.Equal((float)((1.0 - 0.1307) / 0.3081), norm.Images[1], 6);

        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromIdx("tiny", images, [3, 10], 10, PixelTransform.Caffe));
        Assert.Contains("label 10 at index 1", e.Message);
    }
}
