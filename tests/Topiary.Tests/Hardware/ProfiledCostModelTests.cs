// ProfiledCostModelTests: a modelled platform's cost model is named after its HardwareProfile and lists the profile's
// assumptions first, then its own (which follow its settings).
using Topiary.Hardware;

namespace Topiary.Tests.Hardware;

public class ProfiledCostModelTests
{
    public static TheoryData<string, Func<ProfiledCostModel>, HardwareProfile> Models => new()
    {
        { "cortex-m4", () => new CortexM4CycleModel(), HardwareProfile.CortexM4 },
        { "gpu", () => new GpuRooflineModel(), HardwareProfile.Gpu },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void The_platform_is_the_profile_and_its_assumptions_come_first(string platform, Func<ProfiledCostModel> create, HardwareProfile profile)
    {
        var model = create();
        Assert.Same(profile, model.Profile);
        Assert.Equal(platform, model.Platform);
        Assert.Equal(profile.Name, model.Platform);
        var all = model.Assumptions;
        Assert.Equal(profile.Assumptions, all.Take(profile.Assumptions.Count));
        Assert.True(all.Count > profile.Assumptions.Count, "the model adds its own assumptions");
    }

    [Fact]
    public void The_models_own_assumptions_follow_its_settings()
    {
        var flash = new CortexM4CycleModel(weightsInFlash: true).Assumptions;
        var sram = new CortexM4CycleModel(weightsInFlash: false).Assumptions;
        Assert.Contains(flash, a => a.StartsWith("Weights in flash", StringComparison.Ordinal));
        Assert.Contains(sram, a => a.StartsWith("Weights and activations in SRAM", StringComparison.Ordinal));
        var slowLaunch = new GpuRooflineModel(GpuRooflineParameters.Default with { LaunchSeconds = 1e-3 }).Assumptions;
        Assert.NotEqual(new GpuRooflineModel().Assumptions, slowLaunch);
    }
}
