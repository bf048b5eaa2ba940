// Guard: argument checks that return the checked value, so that a constructor whose properties are initialised from
// its (primary constructor's) arguments can check each one where it is stored: `public int Size { get; } =
// Guard.AtLeast(size, 1);`. The exceptions and messages are exactly those of the .NET ThrowIf helpers they call.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Topiary;

/// <summary>Argument checks as expressions.</summary>
internal static class Guard
{
    /// <summary>Returns <paramref name="value"/> when it is not null.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static T NotNull<T>([NotNull] T? value, [CallerArgumentExpression(nameof(value))] string? name = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value;
    }

    /// <summary>Returns <paramref name="value"/> when it is at least <paramref name="min"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is below <paramref name="min"/>.</exception>
    public static T AtLeast<T>(T value, T min, [CallerArgumentExpression(nameof(value))] string? name = null) where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min, name);
        return value;
    }

    /// <summary>Returns <paramref name="value"/> when it lies in [0, 1]; <paramref name="what"/> names it in the message.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside [0, 1] or NaN.</exception>
    public static double Fraction(double value, string what, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{what} must be in [0, 1].");
}
