// GuardTests: Guard's checks return the value they accept and throw exactly what the .NET ThrowIf helpers throw
// (type, parameter name taken from the argument expression, message), so constructors that moved to Guard keep
// their exceptions.
namespace Topiary.Tests;

public class GuardTests
{
    [Fact]
    public void Accepted_values_come_back_unchanged()
    {
        string s = "x";
        Assert.Same(s, Guard.NotNull(s));
        Assert.Equal(3, Guard.AtLeast(3, 1));
        Assert.Equal(1, Guard.AtLeast(1, 1));
        Assert.Equal(0.0, Guard.Fraction(0.0, "Share"));
        Assert.Equal(1.0, Guard.Fraction(1.0, "Share"));
    }

    [Fact]
    public void Null_is_refused_naming_the_argument()
    {
        string? layer = null;
        var e = Assert.Throws<ArgumentNullException>(() => Guard.NotNull(layer));
        Assert.Equal("layer", e.ParamName);
    }

    [Fact]
    public void Below_the_minimum_is_refused_with_the_dotnet_message()
    {
        int size = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.AtLeast(size, 1));
        var expected = Assert.Throws<ArgumentOutOfRangeException>(() => ArgumentOutOfRangeException.ThrowIfLessThan(size, 1));
        Assert.Equal("size", e.ParamName);
        Assert.Equal(expected.Message, e.Message);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Outside_zero_one_is_refused_naming_what_it_is(double share)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Fraction(share, "Share"));
        Assert.Equal("share", e.ParamName);
        Assert.StartsWith("Share must be in [0, 1].", e.Message, StringComparison.Ordinal);
        Assert.Equal(share, e.ActualValue);
    }
}
