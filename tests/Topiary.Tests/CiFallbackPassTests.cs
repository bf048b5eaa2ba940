// .ci/run repeats the suite with AVX-512 switched off and with all hardware intrinsics switched off, so that the
// scalar twins and narrower tiers are what runs. These facts check that the switches really took effect in the
// process that runs the tests (a renamed or ignored variable would otherwise leave the fallback passes running the
// same code as the main pass). Outside those passes they check nothing and say so in their skip reason.
using System.Runtime.Intrinsics;

namespace Topiary.Tests;

public class CiFallbackPassTests
{
    private static bool Off(string variable) => Environment.GetEnvironmentVariable(variable) == "0";

    private sealed class WhenAvx512OffFactAttribute : FactAttribute
    {
        public WhenAvx512OffFactAttribute()
        {
            if (!Off("DOTNET_EnableAVX512F") && !Off("DOTNET_EnableAVX512")) Skip = "not the AVX-512-off pass of .ci/run";
        }
    }

    private sealed class WhenIntrinsicsOffFactAttribute : FactAttribute
    {
        public WhenIntrinsicsOffFactAttribute()
        {
            if (!Off("DOTNET_EnableHWIntrinsic")) Skip = "not the intrinsics-off pass of .ci/run";
        }
    }

    [WhenAvx512OffFact]
    public void With_AVX512_off_no_512_bit_vector_is_accelerated()
    {
        Assert.False(Vector512.IsHardwareAccelerated);
        Assert.False(System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
    }

    [WhenIntrinsicsOffFact]
    public void With_intrinsics_off_no_vector_is_accelerated()
    {
        Assert.False(Vector128.IsHardwareAccelerated);
        Assert.False(Vector256.IsHardwareAccelerated);
        Assert.False(Vector512.IsHardwareAccelerated);
    }
}
