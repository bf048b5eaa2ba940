// DatasetUnavailableException: a dataset could not be obtained (npm missing or failing, a Debian
// package not installed, a lock not acquired in time). The message says what to do about it; the
// CLI prints it as is. Corrupt data throws InvalidDataException instead.
namespace Topiary.Data;

/// <summary>A dataset could not be obtained; the message tells the user how to make it available.</summary>
public sealed class DatasetUnavailableException : IOException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public DatasetUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a user-facing message and the underlying cause.</summary>
    public DatasetUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a default message.</summary>
    public DatasetUnavailableException() : base("The dataset is not available.") { }
}
