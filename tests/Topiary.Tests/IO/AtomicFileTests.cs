// AtomicFile: the target holds either the old or the complete new content; temp files never remain.
using Topiary.IO;

namespace Topiary.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void WriteAllBytes_CreatesDirectoryAndFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "sub", "a.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Write_ReplacesExistingFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.txt");
        File.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new content");
        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Write_FailureKeepsOldFileAndRemovesTemp()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.txt");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Write_FailureWithoutPreviousFileLeavesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("never.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Write_RejectsDirectoryPath()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => AtomicFile.WriteAllBytes(dir.Path + Path.DirectorySeparatorChar, new byte[1]));
    }

    [Fact]
    public void ConcurrentWriters_LastCompleteContentWins()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shared.bin");
        Parallel.For(0, 16, i => AtomicFile.WriteAllBytes(path, Enumerable.Repeat((byte)i, 10_000).ToArray()));
        byte[] final = File.ReadAllBytes(path);
        Assert.Equal(10_000, final.Length);
        Assert.All(final, b => Assert.Equal(final[0], b));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
