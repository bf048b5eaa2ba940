// Tests run in parallel, so none may set the process-wide degree of parallelism (Threading.MaxDegreeOfParallelism):
// a test that saved, changed and restored it could make another test's "1 thread vs 2 threads" compare 1 with 1.
// Thread-count tests use Threading.Limit (async-local: it holds for their own flow of work only) or pass the thread
// count to the kernel. This test reads every test source and fails on an assignment to the process-wide value.
using System.Text.RegularExpressions;
using Topiary.Tests.Recipes;

namespace Topiary.Tests.Tensors;

public partial class ThreadCountHygieneTests
{
    [GeneratedRegex(@"MaxDegreeOfParallelism\s*=[^=>]")]
    private static partial Regex Assignment();

    [Fact]
    public void No_test_sets_the_process_wide_degree_of_parallelism()
    {
        string root = RecipeLoaderTests.RepoFile("tests");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != $"{nameof(ThreadCountHygieneTests)}.cs") // its own examples below
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => Assignment().IsMatch(l.Text) && l.Text.Contains("Threading.", StringComparison.Ordinal))
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToArray();
        Assert.True(offenders.Length == 0, "Use Threading.Limit(n) instead of setting the process-wide value:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_pattern_catches_an_assignment_and_passes_reads_and_other_options()
    {
        Assert.Matches(Assignment(), "Threading.MaxDegreeOfParallelism = 1;");
        Assert.Matches(Assignment(), "Tensors.Threading.MaxDegreeOfParallelism=saved;");
        Assert.DoesNotMatch(Assignment(), "Assert.Equal(7, Threading.MaxDegreeOfParallelism);");
        Assert.DoesNotMatch(Assignment(), "if (Threading.MaxDegreeOfParallelism == 1) return;");
    }
}
