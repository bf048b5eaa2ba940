// Recipe fuzzing: 2,000 seeded random mutations of a valid recipe (lines deleted, duplicated or swapped;
// characters swapped, inserted, deleted or replaced with YAML punctuation). Each must load or fail with
// a positioned RecipeException — never a YamlDotNet or other exception, never a hang.
using System.Text;
using Topiary.Recipes;

namespace Topiary.Tests.Recipes;

public class RecipeFuzzTests
{
    private const string Punctuation = ":{}[],-#&*!|>'\"%@`?~ \t\n\\0123456789.e";

    internal static string Mutate(string text, Random rng)
    {
        var lines = text.Split('\n').ToList();
        int mutations = 1 + rng.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            switch (rng.Next(8))
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

    [Fact]
    public async Task RandomMutations_OnlyEverThrowRecipeException()
    {
        const int cases = 2000;
        int loaded = 0, rejected = 0;
        Task run = Task.Run(() =>
        {
            var rng = new Random(20150101);
            for (int c = 0; c < cases; c++)
            {
                string yaml = Mutate(RecipeLoaderTests.Valid, rng);
                try
                {
                    Recipe r = RecipeLoader.LoadFromString(yaml, "fuzz.yaml");
                    // Whatever loads must also survive a round trip.
                    Assert.Equal(r, RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "fuzz-written.yaml"));
                    loaded++;
                }
                catch (RecipeException e)
                {
                    Assert.True(e.Line >= 1 && e.Column >= 1, $"case {c}: no position in \"{e.Message}\"\n--- input ---\n{yaml}");
                    Assert.StartsWith("fuzz.yaml: ", e.Message, StringComparison.Ordinal);
                    rejected++;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"case {c}: {e.GetType().FullName}: {e.Message}\n--- input ---\n{yaml}");
                }
            }
        });
        // A hang fails the test instead of stalling the run (the budget is generous: it takes well under 1 s).
        await run.WaitAsync(TimeSpan.FromSeconds(60)); // TimeoutException on a hang
        Assert.Equal(cases, loaded + rejected);
        Assert.True(rejected > cases / 4, $"only {rejected} of {cases} mutations were rejected: the mutator is too gentle");
        Assert.True(loaded > 0, "no mutation loaded: the mutator is too harsh");
    }
}
