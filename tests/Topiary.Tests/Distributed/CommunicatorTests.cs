// The single-process communicator (every collective a no-op), launcher detection from the environment, and the
// clear failure when --distributed finds no MPI library.
using Topiary.Distributed;

namespace Topiary.Tests.Distributed;

public class CommunicatorTests
{
    [Fact]
    public void Single_process_is_rank_0_of_1_and_leaves_buffers_unchanged()
    {
        var c = SingleProcessCommunicator.Instance;
        Assert.Equal((0, 1), (c.Rank, c.Size));
        float[] f = [1.5f, -2f];
        double[] d = [3.25];
        byte[] b = [7, 8];
        c.AllReduceSum(f);
        c.AllReduceSum(d);
        c.Broadcast(b, 0);
        c.Barrier();
        Assert.Equal([1.5f, -2f], f);
        Assert.Equal([3.25], d);
        Assert.Equal([(byte)7, (byte)8], b);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Broadcast(b, 1));
        Assert.Throws<InvalidOperationException>(() => c.Abort(1));
    }

    [Fact]
    public void Default_communicator_is_single_process_and_scopes_restore_it()
    {
        Assert.Same(SingleProcessCommunicator.Instance, DataParallel.Current);
        Assert.False(DataParallel.IsDistributed);
        Assert.True(DataParallel.IsWriter);
        var group = new ThreadGroup(2);
        var inside = group.Run(c =>
        {
            bool distributed = DataParallel.IsDistributed;
            using (DataParallel.Independent())
                return (distributed, DataParallel.IsDistributed, DataParallel.IsWriter, c.Rank);
        });
        Assert.All(inside, x => Assert.True(x.Item1 && !x.Item2 && x.Item3));
        Assert.Same(SingleProcessCommunicator.Instance, DataParallel.Current);
    }

    [Theory]
    [InlineData(null, null, null, null, null)]
    [InlineData("2", null, null, null, 2)]
    [InlineData("1", null, null, null, 1)]
    [InlineData(null, "4", null, null, 4)]
    [InlineData(null, null, null, "3", 0)]
    [InlineData("x", null, "5", null, 5)]
    public void Launcher_size_comes_from_the_environment(string? ompi, string? pmi, string? pmix, string? pmixRank, int? expected)
    {
        var env = new Dictionary<string, string?>
        {
            ["OMPI_COMM_WORLD_SIZE"] = ompi, ["PMI_SIZE"] = pmi, ["PMIX_SIZE"] = pmix, ["PMIX_RANK"] = pmixRank,
        };
        Assert.Equal(expected, MpiEnvironment.LaunchedSize(n => env.GetValueOrDefault(n)));
        Assert.Equal(expected is int s && s != 1, MpiEnvironment.IsLaunchedJob(n => env.GetValueOrDefault(n)));
    }

    [Fact]
    public void Local_size_defaults_to_one()
    {
        Assert.Equal(1, MpiEnvironment.LocalSize(_ => null));
        Assert.Equal(2, MpiEnvironment.LocalSize(n => n == "OMPI_COMM_WORLD_LOCAL_SIZE" ? "2" : null));
    }
}
