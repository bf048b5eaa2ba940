// ConstructorCheckTests: the argument checks of the types whose constructors store each argument where its property is
// declared (FusedConv2d, LocalResponseNorm, FeatureMapSample, DeadNeuronReport, RelativeIndexStream, SparsityTarget,
// WeightDensityTarget): each bad argument is refused with the documented exception naming it, good ones are kept.
using Topiary.Compression.Codecs;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.EnergyAware;
using Topiary.Pruning.Structure;

namespace Topiary.Tests;

public class ConstructorCheckTests
{
    [Fact]
    public void FusedConv2d_refuses_a_missing_convolution_and_an_empty_or_NaN_clamp()
    {
        var conv = new Conv2d(2, 3, 1, new Random(1));
        Assert.Equal("conv", Assert.Throws<ArgumentNullException>(() => new FusedConv2d(null!, false)).ParamName);
        Assert.Equal("min", Assert.Throws<ArgumentException>(() => new FusedConv2d(conv, false, 1f, 0f)).ParamName);
        Assert.Equal("min", Assert.Throws<ArgumentException>(() => new FusedConv2d(conv, false, float.NaN, 6f)).ParamName);
        Assert.Equal("min", Assert.Throws<ArgumentException>(() => new FusedConv2d(conv, false, 0f, float.NaN)).ParamName);
        var node = new FusedConv2d(conv, true, 0f, 6f, foldedNorm: true);
        Assert.Equal((conv, true, 0f, 6f, true), (node.Conv, node.HasResidual, node.Min, node.Max, node.FoldedNorm));
    }

    [Fact]
    public void LocalResponseNorm_refuses_a_window_below_one()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LocalResponseNorm(0));
        Assert.Equal("size", e.ParamName);
        var lrn = new LocalResponseNorm(5, 2e-4f, 0.5f, 2f);
        Assert.Equal((5, 2e-4f, 0.5f, 2f), (lrn.Size, lrn.Alpha, lrn.Beta, lrn.K));
    }

    [Fact]
    public void FeatureMapSample_refuses_sizes_that_are_not_positive_or_do_not_match()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureMapSample("l", [], [], 0, 1, 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureMapSample("l", [], [], 1, 0, 1)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureMapSample("l", [], [], 1, 1, 0)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => new FeatureMapSample("l", null!, [0], 1, 1, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => new FeatureMapSample("l", [0f], null!, 1, 1, 1)).ParamName);
        var x = Assert.Throws<ArgumentException>(() => new FeatureMapSample("l", new float[5], new double[2], 2, 3, 1));
        Assert.Equal("x", x.ParamName);
        Assert.StartsWith("X holds 5 values; expected 2x3.", x.Message, StringComparison.Ordinal);
        var y = Assert.Throws<ArgumentException>(() => new FeatureMapSample("l", new float[6], new double[3], 2, 3, 1));
        Assert.Equal("y", y.ParamName);
        Assert.StartsWith("Y holds 3 values; expected 2x1.", y.Message, StringComparison.Ordinal);
        float[] xs = new float[6];
        double[] ys = new double[4];
        var sample = new FeatureMapSample("fc1", xs, ys, 2, 3, 2);
        Assert.Equal(("fc1", 2, 3, 2), (sample.Layer, sample.Rows, sample.K, sample.M));
        Assert.Same(xs, sample.X);
        Assert.Same(ys, sample.Y);
    }

    [Fact]
    public void DeadNeuronReport_refuses_missing_lists()
    {
        Assert.Equal("layers", Assert.Throws<ArgumentNullException>(() => new DeadNeuronReport(null!, [], 1, 10, 5)).ParamName);
        Assert.Equal("notes", Assert.Throws<ArgumentNullException>(() => new DeadNeuronReport([], null!, 1, 10, 5)).ParamName);
        var report = new DeadNeuronReport([], [], 2, 10, 5);
        Assert.Equal((2, 10L, 5L), (report.Passes, report.ParametersBefore, report.ParametersAfter));
    }

    [Fact]
    public void RelativeIndexStream_refuses_missing_arrays_and_counts_its_entries()
    {
        Assert.Equal("gaps", Assert.Throws<ArgumentNullException>(() => new RelativeIndexStream(3, 0, null!, [], 0)).ParamName);
        Assert.Equal("codes", Assert.Throws<ArgumentNullException>(() => new RelativeIndexStream(3, 0, [], null!, 0)).ParamName);
        var stream = new RelativeIndexStream(2, 0, [3, 1, 0], [0, 5, 6], 1);
        Assert.Equal((2, 0, 3, 2), (stream.IndexBits, stream.FillerCode, stream.Count, stream.NonZeroCount));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Sparsity_and_density_targets_refuse_values_outside_zero_one(double value)
    {
        var s = Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityTarget(value));
        Assert.Equal("sparsity", s.ParamName);
        Assert.StartsWith("Sparsity must be in [0, 1].", s.Message, StringComparison.Ordinal);
        var d = Assert.Throws<ArgumentOutOfRangeException>(() => new WeightDensityTarget(value));
        Assert.Equal("density", d.ParamName);
        Assert.StartsWith("Density must be in [0, 1].", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_keep_their_value_and_compare_by_it()
    {
        Assert.Equal(0.25, new SparsityTarget(0.25).Sparsity);
        Assert.Equal(new SparsityTarget(0.5), new SparsityTarget(0.5));
        Assert.NotEqual(new SparsityTarget(0.5), new SparsityTarget(0.6));
        Assert.Equal(new WeightDensityTarget(1), new WeightDensityTarget(1));
        Assert.Equal(0.0, new WeightDensityTarget(0).Density);
    }
}
