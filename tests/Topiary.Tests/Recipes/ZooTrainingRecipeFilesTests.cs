// The training recipes of the trainable zoo models (recipes/<model>-<dataset>.yaml): one per model and dataset, each
// trains with exactly the zoo's reference TrainingRecipe (so `topiary train --model M --dataset D` and
// `topiary run --recipe` train the same network), names its model and dataset in the file name, and records the
// measured test error and the exact `topiary train` command in its header.
using Topiary.Models;
using Topiary.Recipes;

namespace Topiary.Tests.Recipes;

public class ZooTrainingRecipeFilesTests
{
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "resnet-20", "squeezenet", "mobilenet-v2" })
            foreach (string dataset in new[] { "fashion-mnist", "mnist" })
                data.Add(model, dataset);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Recipe_trains_with_the_zoo_recipe_and_records_the_train_command(string model, string dataset)
    {
        string file = Path.Combine("recipes", $"{model}-{dataset}.yaml");
        Recipe r = RecipeLoader.Load(RecipeLoaderTests.RepoFile(file));
        Assert.Equal(model, r.Model);
        Assert.Equal(dataset, r.Dataset);
        Assert.Null(r.TrainLimit);
        Assert.Equal(ModelZoo.Get(model).Recipe, r.Train);
        string header = string.Join("\n", File.ReadLines(RecipeLoaderTests.RepoFile(file)).TakeWhile(l => l.StartsWith('#')));
        Assert.Contains($"topiary train --model {model} --dataset {dataset}", header, StringComparison.Ordinal);
    }
}
