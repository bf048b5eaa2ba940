// MpiUnavailableException: distributed work was asked for, but no usable MPI library could be loaded (none installed,
// or one with another ABI than Open MPI's). The message says what was tried and how to install Open MPI.
namespace Topiary.Distributed;

/// <summary>No usable MPI library is present.</summary>
public sealed class MpiUnavailableException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public MpiUnavailableException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public MpiUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public MpiUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
