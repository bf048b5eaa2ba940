using Topiary.Training;

namespace Topiary.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Inv_follows_the_caffe_formula()
    {
        var s = new InvLr(0.01f, 1e-4f, 0.75f);
        Assert.Equal(0.01f, s.At(0), 7);
        Assert.Equal(0.01 * Math.Pow(1 + 1e-4 * 10000, -0.75), s.At(10000), 6);
    }

    [Fact]
    public void Step_decays_by_gamma_every_step_size_iterations()
    {
        var s = new StepLr(1f, 10, 0.5f);
        Assert.Equal(1f, s.At(9));
        Assert.Equal(0.5f, s.At(10));
        Assert.Equal(0.25f, s.At(29));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLr(1f, 0));
    }

    [Fact]
    public void Cosine_starts_at_base_ends_at_min_and_is_monotone()
    {
        var s = new CosineLr(0.1f, 100, 0.001f);
        Assert.Equal(0.1f, s.At(0), 6);
        Assert.Equal(0.001f, s.At(100), 6);
        for (int i = 1; i <= 100; i++) Assert.True(s.At(i) <= s.At(i - 1));
        var w = new CosineLr(0.1f, 100, 0f, warmupIterations: 10);
        Assert.Equal(0.01f, w.At(0), 6);
        Assert.Equal(0.1f, w.At(10), 6);
    }
}
