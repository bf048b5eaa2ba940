// RecipeMap: the immutable map inside a Recipe. Unlike Dictionary it compares by value (same keys mapped to equal
// values), so two Recipe records that say the same thing are Equal — which is what a ToYaml -> Load round trip
// checks. It keeps its keys in insertion (file) order so a written recipe reads like the original.
using System.Collections.ObjectModel;

namespace Topiary.Recipes;

/// <summary>An immutable, insertion-ordered string-keyed map with value equality.</summary>
/// <typeparam name="TValue">Value type; compared with <see cref="EqualityComparer{T}.Default"/>.</typeparam>
public sealed class RecipeMap<TValue> : ReadOnlyDictionary<string, TValue>, IEquatable<RecipeMap<TValue>>
{
    /// <summary>Creates a map from entries in order.</summary>
    /// <exception cref="ArgumentException">A key is null or appears twice.</exception>
    public RecipeMap(IEnumerable<KeyValuePair<string, TValue>> entries) : base(Ordered(entries)) { }

    /// <summary>The empty map.</summary>
    public static new RecipeMap<TValue> Empty { get; } = new([]);

    private static OrderedDictionary<string, TValue> Ordered(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new OrderedDictionary<string, TValue>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, TValue> e in entries)
        {
            ArgumentNullException.ThrowIfNull(e.Key, nameof(entries));
            if (!map.TryAdd(e.Key, e.Value))
                throw new ArgumentException($"Duplicate key '{e.Key}'.", nameof(entries));
        }
        return map;
    }

    /// <summary>True when both maps have the same keys mapped to equal values (key order is ignored).</summary>
    public bool Equals(RecipeMap<TValue>? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (other.Count != Count) return false;
        foreach (KeyValuePair<string, TValue> e in this)
            if (!other.TryGetValue(e.Key, out TValue? v) || !EqualityComparer<TValue>.Default.Equals(e.Value, v))
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RecipeMap<TValue>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = Count;
        foreach (KeyValuePair<string, TValue> e in this) // order-independent: XOR of per-entry hashes
            hash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(e.Key), e.Value is null ? 0 : EqualityComparer<TValue>.Default.GetHashCode(e.Value));
        return hash;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", this.Select(e => $"{e.Key}: {e.Value}")) + "}";
}
