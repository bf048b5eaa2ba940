// AtomicFile: whole-file writes that never leave a half-written file behind.
// Contract: the content is written to a uniquely named temp file in the SAME directory as the
// target (so the final step is a same-volume rename), flushed to disk, then moved over the target
// with File.Move(overwrite: true). Readers see either the old file or the complete new one. If the
// writer throws, the temp file is deleted and the target is left untouched.
// Data-parallel runs (DataParallel.Current has several ranks): every rank runs the same program and reaches the same
// writes, but only rank 0 writes; all ranks then meet at a barrier, so when Write returns on any rank the file is
// complete (a rank may read back what "it" wrote). Per-machine caches (the dataset cache) use WriteLocal instead.
using Topiary.Distributed;

namespace Topiary.IO;

/// <summary>Atomic whole-file writes: temp file in the target's directory, flush, rename over the target.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> atomically: <paramref name="write"/> fills a temp file in the same
    /// directory, which is then flushed and renamed over <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The target file. Its directory is created when missing.</param>
    /// <param name="write">Writes the complete content to the given stream. Must not dispose it.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The temp file could not be written or renamed.</exception>
    /// <remarks>Any exception thrown by <paramref name="write"/> propagates after the temp file is deleted. With several
    /// ranks (<see cref="DataParallel.Current"/>) only rank 0 writes, and every rank returns after a barrier.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        var communicator = DataParallel.Current;
        if (communicator.Size == 1)
        {
            WriteLocal(path, write);
            return;
        }
        if (communicator.Rank == 0) WriteLocal(path, write);
        communicator.Barrier();
    }

    /// <summary>As <see cref="Write"/>, but this process writes whatever its rank: for per-machine files such as caches.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The temp file could not be written or renamed.</exception>
    internal static void WriteLocal(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        if (fileName.Length == 0)
            throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));
        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        Directory.CreateDirectory(directory);

        string temp = TempPathFor(fullPath);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The temp file could not be written or renamed.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        // A span cannot be captured by the lambda; copy once (callers with huge buffers should use Write).
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The temp file could not be written or renamed.</exception>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The temp file could not be written or renamed.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// A unique temp-file name next to <paramref name="fullPath"/>: <c>.name.RANDOM.tmp</c>. Hidden on Unix,
    /// same directory (so the rename is atomic), never equal to another writer's.
    /// </summary>
    internal static string TempPathFor(string fullPath)
    {
        string directory = Path.GetDirectoryName(fullPath)!;
        return Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Deletes <paramref name="path"/> if possible; never throws.</summary>
    internal static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
