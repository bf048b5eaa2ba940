// Threading.Limit: the limit holds for the flow of work that set it — inside Threading.For's parallel bodies and tasks it
// starts — and not for work running beside it; scopes nest and restore; the process-wide value is the fallback.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class ThreadingTests
{
    [Fact]
    public async Task A_limit_follows_its_flow_of_work_and_nothing_else()
    {
        // 7: a value no other test or the process-wide default uses, so what leaks is visible.
        using (Threading.Limit(7))
        {
            Assert.Equal(7, Threading.MaxDegreeOfParallelism);
            var seen = new int[4];
            Threading.For(0, 4, 4, i => seen[i] = Threading.MaxDegreeOfParallelism);
            Assert.All(seen, v => Assert.Equal(7, v));
            Assert.Equal(7, await Task.Run(() => Threading.MaxDegreeOfParallelism));
            using (Threading.Limit(3)) Assert.Equal(3, Threading.MaxDegreeOfParallelism);
            Assert.Equal(7, Threading.MaxDegreeOfParallelism);
            // A thread started outside this flow's context does not see the limit.
            int other = 0;
            using (ExecutionContext.SuppressFlow())
            {
                var t = new Thread(() => other = Threading.MaxDegreeOfParallelism);
                t.Start();
                t.Join();
            }
            Assert.NotEqual(7, other);
        }
        Assert.NotEqual(7, Threading.MaxDegreeOfParallelism);
        Assert.Throws<ArgumentOutOfRangeException>(() => Threading.Limit(0));
    }
}
