// Recipe fuzzing (moved here from Recipes/ to share the harness and its counts): mutations of the recipes in
// recipes/ and of RecipeLoaderTests.Valid, loaded through RecipeLoader.LoadFromString. Documented: RecipeException
// only — never a YamlDotNet or other exception — and it must carry a position (line and column >= 1) and start with
// the source name. Whatever loads must survive a round trip through RecipeWriter. The format-aware mutator works on
// the text: lines deleted, duplicated or swapped; characters swapped, inserted, deleted or replaced with YAML
// punctuation; a number replaced by an edge value. Byte-level mutations are read back as UTF-8 (invalid sequences
// become U+FFFD).
using System.Text;
using Topiary.Recipes;
using Topiary.Tests.Recipes;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class RecipeFuzzTests(ITestOutputHelper output)
{
    private const string Punctuation = ":{}[],-#&*!|>'\"%@`?~ \t\n\\0123456789.e";

    internal static string Mutate(string text, Random rng)
    {
        var lines = text.Split('\n').ToList();
        int mutations = 1 + rng.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            switch (rng.Next(9))
            {
                case 0 when lines.Count > 1:
                    lines.RemoveAt(rng.Next(lines.Count));
                    break;
                case 1:
                {
                    int i = rng.Next(lines.Count);
                    lines.Insert(i, lines[i]);
                    break;
                }
                case 2 when lines.Count > 1:
                {
                    int i = rng.Next(lines.Count), j = rng.Next(lines.Count);
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                }
                case 3:
                    lines = (ByteMutator.ReplaceNumber(string.Join('\n', lines), rng) ?? string.Join('\n', lines)).Split('\n').ToList();
                    break;
                default:
                {
                    var sb = new StringBuilder(string.Join('\n', lines));
                    if (sb.Length < 2) break;
                    int p = rng.Next(sb.Length - 1);
                    switch (rng.Next(4))
                    {
                        case 0: (sb[p], sb[p + 1]) = (sb[p + 1], sb[p]); break;
                        case 1: sb.Insert(p, Punctuation[rng.Next(Punctuation.Length)]); break;
                        case 2: sb.Remove(p, 1); break;
                        default: sb[p] = Punctuation[rng.Next(Punctuation.Length)]; break;
                    }
                    lines = sb.ToString().Split('\n').ToList();
                    break;
                }
            }
        }
        return string.Join('\n', lines);
    }

    private static string RecipesDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Topiary.slnx"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Topiary.slnx not found"), "recipes");
    }

    internal static FuzzTarget Target()
    {
        var seeds = Directory.GetFiles(RecipesDirectory(), "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => new FuzzSeed(Path.GetFileName(f), File.ReadAllBytes(f)))
            .Append(new FuzzSeed("valid", Encoding.UTF8.GetBytes(RecipeLoaderTests.Valid), Weight: 2))
            .ToArray();
        return new FuzzTarget("recipe", seeds, input =>
        {
            string yaml = ByteMutator.Text(input);
            Recipe r;
            try
            {
                r = RecipeLoader.LoadFromString(yaml, "fuzz.yaml");
            }
            catch (RecipeException e)
            {
                Assert.True(e.Line >= 1 && e.Column >= 1, $"no position in \"{e.Message}\"");
                Assert.StartsWith("fuzz.yaml: ", e.Message, StringComparison.Ordinal);
                throw;
            }
            // Whatever loads must also survive a round trip.
            Assert.Equal(r, RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "fuzz-written.yaml"));
        }, typeof(RecipeException))
        {
            Structured = (seed, rng) => Encoding.UTF8.GetBytes(Mutate(Encoding.UTF8.GetString(seed), rng)),
        };
    }

    [Fact]
    public void Mutated_recipes_load_or_throw_a_positioned_RecipeException()
    {
        var report = FuzzHarness.Run(Target());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(RecipeFuzzTests));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
