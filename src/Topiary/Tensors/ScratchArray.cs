// ScratchArray: the grow-only scratch buffer behind the kernels' thread-static fields (im2col columns, Winograd's
// transformed tiles, channel-blocked depthwise planes): the field's array when it is long enough, else a new one
// stored in the field. Contents are not cleared; callers overwrite what they read.
namespace Topiary.Tensors;

/// <summary>Grow-only scratch arrays held in thread-static fields.</summary>
internal static class ScratchArray
{
    /// <summary>
    /// <paramref name="buffer"/> if it holds at least <paramref name="length"/> floats, else a new array stored in it;
    /// <paramref name="owner"/> names the layer or kernel in the error.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="length"/> exceeds the largest array .NET allocates.</exception>
    public static float[] Grow(ref float[]? buffer, long length, string owner = "kernel")
    {
        if (length > Array.MaxLength) throw new ArgumentException($"{owner}: a scratch buffer of {length} values is too large (reduce the batch).");
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }
}
