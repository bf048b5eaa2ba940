// Facts and theories that need POSIX (symbolic links without privilege, signals, shell scripts): reported as skipped on
// Windows with the reason, instead of passing without running.
namespace Topiary.Tests;

/// <summary>A fact skipped on Windows.</summary>
public sealed class PosixFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; <paramref name="why"/> says what needs POSIX.</summary>
    public PosixFactAttribute(string why)
    {
        if (OperatingSystem.IsWindows()) Skip = $"needs POSIX: {why}";
    }
}

/// <summary>A theory skipped on Windows.</summary>
public sealed class PosixTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute; <paramref name="why"/> says what needs POSIX.</summary>
    public PosixTheoryAttribute(string why)
    {
        if (OperatingSystem.IsWindows()) Skip = $"needs POSIX: {why}";
    }
}
