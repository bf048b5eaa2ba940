// NameList: an immutable list of names with value equality (items compared in order, ordinal), so that options
// records holding layer lists (energy-aware's layers, channel pruning's protected layers) and the recipes that
// hold those records compare by value.
using System.Collections;

namespace Topiary.Settings;

/// <summary>An immutable list of strings with value equality (items compared in order), e.g. a list of layer names.</summary>
public sealed class NameList : IReadOnlyList<string>, IEquatable<NameList>
{
    private readonly string[] _items;

    /// <summary>Creates a list of <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException">An item is null.</exception>
    public NameList(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
        if (_items.Any(i => i is null)) throw new ArgumentException("List items must not be null.", nameof(items));
    }

    /// <inheritdoc/>
    public string this[int index] => _items[index];

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>True when both lists hold equal items in the same order.</summary>
    public bool Equals(NameList? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.SequenceEqual(other._items, StringComparer.Ordinal));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NameList);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (string item in _items) hash.Add(item, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
