// Plots: each writes a real PNG of the requested size, atomically (no temp files left, an existing file
// survives a failed call intact), and rejects bad series with a message naming the series.
using System.Buffers.Binary;
using Topiary.Reporting;
using Topiary.Tests.IO;

namespace Topiary.Tests.Reporting;

public class PlotTests
{
    private static readonly double[] Sparsity = [0, 0.25, 0.5, 0.75, 0.9];

    private static SensitivitySeries[] Sensitivity() =>
    [
        new("conv1", Sparsity, [0.99, 0.98, 0.9, 0.6, 0.3]),
        new("fc1", Sparsity, [0.99, 0.99, 0.99, 0.97, 0.9]),
    ];

    private static HistogramSeries[] Histograms()
    {
        var rng = new Random(7);
        float[] before = new float[5000];
        for (int i = 0; i < before.Length; i++) before[i] = (float)((rng.NextDouble() - 0.5) * 0.2);
        float[] after = before.Where(v => Math.Abs(v) > 0.06f).ToArray();
        return [new("before pruning", before), new("after pruning", after)];
    }

    /// <summary>Checks the PNG signature and returns the IHDR width and height.</summary>
    private static (int Width, int Height) ReadPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path}: only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static void AssertOnlyFile(TempDirectory dir, string path) =>
        Assert.Equal(new[] { Path.GetFileName(path) }, Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).ToArray());

    [Fact]
    public void Sensitivity_WritesPng()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sensitivity.png");
        SensitivityPlot.Write(path, "LeNet-5 sensitivity", Sensitivity());
        Assert.Equal((800, 500), ReadPng(path));
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Sensitivity_CustomSizeAndManySeries()
    {
        using var dir = new TempDirectory();
        string path = dir.File("many.png");
        var series = Enumerable.Range(0, 12).Select(i => new SensitivitySeries($"layer{i}", Sparsity, [0.9, 0.9, 0.8, 0.5, 0.1])).ToArray();
        SensitivityPlot.Write(path, "", series, "Top-1 error", 640, 480);
        Assert.Equal((640, 480), ReadPng(path));
    }

    [Fact]
    public void Histogram_WritesOnePanelPerSeries()
    {
        using var dir = new TempDirectory();
        string path = dir.File("hist.png");
        HistogramPlot.Write(path, "fc1 weights", Histograms(), bins: 60);
        Assert.Equal((840, 450), ReadPng(path)); // 420 px per panel
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Histogram_ConstantValuesAndOneBin()
    {
        using var dir = new TempDirectory();
        string path = dir.File("const.png");
        HistogramPlot.Write(path, "", [new HistogramSeries("all ones", [1f, 1f, 1f])], bins: 1, width: 300, height: 200);
        Assert.Equal((300, 200), ReadPng(path));
    }

    [Fact]
    public void Histogram_CountsEveryValueOnce()
    {
        long[] counts = HistogramPlot.Count([-1f, -0.5f, 0f, 0.5f, 1f], lo: -1, binWidth: 0.5, bins: 4);
        Assert.Equal(new long[] { 1, 1, 1, 2 }, counts); // the top edge falls in the last bin
    }

    [Fact]
    public void Line_WritesPng()
    {
        using var dir = new TempDirectory();
        string path = dir.File("line.png");
        LinePlot.Write(path, "Training", "Epoch", "Loss",
            [new LineSeries("train", [1, 2, 3], [2, 1, 0.5]), new LineSeries("test", [1, 2, 3], [2.2, 1.3, 0.9])]);
        Assert.Equal((800, 500), ReadPng(path));
        AssertOnlyFile(dir, path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bar_WritesPng(bool stacked)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bar.png");
        string[] layers = ["conv1", "conv2", "fc1", "fc2"];
        BarPlot.Write(path, "Density", layers,
            [new BarSeries("weights", [0.66, 0.12, 0.08, 0.19]), new BarSeries("activations", [0.5, 0.4, 0.3, 0.2])], "Density", stacked);
        Assert.Equal((800, 500), ReadPng(path));
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Bar_ManyLongCategoriesAndNegativeValues()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bar.png");
        string[] layers = Enumerable.Range(0, 16).Select(i => $"features.{i}.conv").ToArray();
        BarPlot.Write(path, "Change", layers, [new BarSeries("delta", layers.Select((_, i) => i - 8.0).ToArray())], "Δ", stacked: false);
        Assert.Equal((800, 500), ReadPng(path));
    }

    [Fact]
    public void Title_IsDrawn()
    {
        // Guards against the silent failure mode of SkiaSharp without fonts: all text vanishes.
        using var dir = new TempDirectory();
        SensitivityPlot.Write(dir.File("a.png"), "Title A", Sensitivity());
        SensitivityPlot.Write(dir.File("b.png"), "A rather different and longer title", Sensitivity());
        Assert.NotEqual(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
    }

    [Fact]
    public void Sensitivity_RejectsUnequalLengths_NamingSeries()
    {
        using var dir = new TempDirectory();
        var series = new[] { Sensitivity()[0], new SensitivitySeries("fc2", [0, 0.5], [0.9]) };
        var e = Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(dir.File("x.png"), "t", series));
        Assert.Contains("'fc2'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Sparsity has 2 values but Accuracy has 1", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Sensitivity_RejectsOutOfRangeAndNonFinite()
    {
        using var dir = new TempDirectory();
        var e1 = Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(dir.File("x.png"), "t", [new SensitivitySeries("conv1", [0, 1.5], [1, 1])]));
        Assert.Contains("'conv1'", e1.Message, StringComparison.Ordinal);
        Assert.Contains("Sparsity[1]", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(dir.File("x.png"), "t", [new SensitivitySeries("conv2", [0, 0.5], [1, double.NaN])]));
        Assert.Contains("'conv2': Accuracy[1] is NaN", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(dir.File("x.png"), "t", []));
        Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(dir.File("x.png"), "t", [new SensitivitySeries("empty", [], [])]));
    }

    [Fact]
    public void Histogram_RejectsEmptyAndNonFinite()
    {
        using var dir = new TempDirectory();
        var e1 = Assert.Throws<ArgumentException>(() => HistogramPlot.Write(dir.File("x.png"), "t", [new HistogramSeries("after pruning", [])], 10));
        Assert.Contains("'after pruning': Values is empty", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => HistogramPlot.Write(dir.File("x.png"), "t", [new HistogramSeries("w", [1f, float.PositiveInfinity])], 10));
        Assert.Contains("'w'", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => HistogramPlot.Write(dir.File("x.png"), "t", Histograms(), 0));
    }

    [Fact]
    public void Line_RejectsUnequalLengths_NamingSeries()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => LinePlot.Write(dir.File("x.png"), "t", "x", "y",
            [new LineSeries("ok", [1], [1]), new LineSeries("test loss", [1, 2, 3], [1, 2])]));
        Assert.Contains("'test loss'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bar_RejectsWrongCountAndNegativeStacked()
    {
        using var dir = new TempDirectory();
        var e1 = Assert.Throws<ArgumentException>(() => BarPlot.Write(dir.File("x.png"), "t", ["a", "b"], [new BarSeries("dram", [1])], "E", false));
        Assert.Contains("'dram': Values has 1 values but there are 2 categories", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => BarPlot.Write(dir.File("x.png"), "t", ["a", "b"], [new BarSeries("sram", [1, -1])], "E", true));
        Assert.Contains("'sram'", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BarPlot.Write(dir.File("x.png"), "t", [], [new BarSeries("s", [])], "E", false));
    }

    [Fact]
    public void FailedWrite_LeavesExistingFileIntact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("plot.png");
        SensitivityPlot.Write(path, "good", Sensitivity());
        byte[] good = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SensitivityPlot.Write(path, "bad", [new SensitivitySeries("fc1", [0, 0.5], [1])]));
        Assert.Throws<ArgumentException>(() => HistogramPlot.Write(path, "bad", [new HistogramSeries("fc1", [float.NaN])], 10));
        Assert.Throws<ArgumentException>(() => LinePlot.Write(path, "bad", "x", "y", [new LineSeries("fc1", [1], [double.NaN])]));
        Assert.Throws<ArgumentException>(() => BarPlot.Write(path, "bad", ["a"], [new BarSeries("fc1", [1, 2])], "y", false));

        Assert.Equal(good, File.ReadAllBytes(path));
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Write_ReplacesExistingFileWhole()
    {
        using var dir = new TempDirectory();
        string path = dir.File("plot.png");
        File.WriteAllBytes(path, new byte[1 << 20]); // larger than any plot: a partial overwrite would leave a tail
        LinePlot.Write(path, "t", "x", "y", [new LineSeries("a", [0, 1], [0, 1])]);
        Assert.Equal((800, 500), ReadPng(path));
        Assert.True(new FileInfo(path).Length < 1 << 20);
        AssertOnlyFile(dir, path);
    }
}
