// RecipeMap: the immutable map inside a Recipe. Unlike Dictionary it compares by value (same keys mapped to equal
// values), so two Recipe records that say the same thing are Equal — which is what a ToYaml -> Load round trip
// checks. It keeps its keys in insertion (file) order so a written recipe reads like the original.
using System.Collections;

namespace Topiary.Recipes;

/// <summary>An immutable, insertion-ordered string-keyed map with value equality.</summary>
/// <typeparam name="TValue">Value type; compared with <see cref="EqualityComparer{T}.Default"/>.</typeparam>
public sealed class RecipeMap<TValue> : IReadOnlyDictionary<string, TValue>, IEquatable<RecipeMap<TValue>>
{
    private readonly KeyValuePair<string, TValue>[] _entries;
    private readonly Dictionary<string, TValue> _lookup;

    /// <summary>The empty map.</summary>
    public static RecipeMap<TValue> Empty { get; } = new([]);

    /// <summary>Creates a map from entries in order.</summary>
    /// <exception cref="ArgumentException">A key is null or appears twice.</exception>
    public RecipeMap(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.ToArray();
        _lookup = new Dictionary<string, TValue>(_entries.Length, StringComparer.Ordinal);
        foreach (KeyValuePair<string, TValue> e in _entries)
        {
            ArgumentNullException.ThrowIfNull(e.Key, nameof(entries));
            if (!_lookup.TryAdd(e.Key, e.Value))
                throw new ArgumentException($"Duplicate key '{e.Key}'.", nameof(entries));
        }
    }

    /// <inheritdoc/>
    public TValue this[string key] => _lookup[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <inheritdoc/>
    public IEnumerable<TValue> Values => _entries.Select(e => e.Value);

    /// <inheritdoc/>
    public int Count => _entries.Length;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _lookup.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value) =>
        _lookup.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>True when both maps have the same keys mapped to equal values (key order is ignored).</summary>
    public bool Equals(RecipeMap<TValue>? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (other.Count != Count) return false;
        foreach (KeyValuePair<string, TValue> e in _entries)
            if (!other._lookup.TryGetValue(e.Key, out TValue? v) || !EqualityComparer<TValue>.Default.Equals(e.Value, v))
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RecipeMap<TValue>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = Count;
        foreach (KeyValuePair<string, TValue> e in _entries) // order-independent: XOR of per-entry hashes
            hash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(e.Key), e.Value is null ? 0 : EqualityComparer<TValue>.Default.GetHashCode(e.Value));
        return hash;
    }

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", _entries.Select(e => $"{e.Key}: {e.Value}")) + "}";
}
