// EnergyGuard: the argument checks every energy model shares (densities in [0, 1], bit widths 1..32).
namespace Topiary.Hardware.Energy;

internal static class EnergyGuard
{
    internal static void Bits(int bits)
    {
        if (bits is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Bit width must be in [1, 32].");
    }

    internal static void Density(double density, string paramName)
    {
        if (!(density >= 0 && density <= 1))
            throw new ArgumentOutOfRangeException(paramName, density, "A density must be in [0, 1].");
    }

    /// <summary>
    /// Data moved when zeros are not fetched: n dense values at density d cost n·d·(1 + indexBits/bits) value
    /// equivalents (each non-zero carries an index), but never more than the dense n (then it is sent dense).
    /// </summary>
    internal static double Compressed(double n, double density, int indexBits, int bits) =>
        Math.Min(n, n * density * (1 + (double)indexBits / bits));
}
