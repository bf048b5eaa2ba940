// PruningMethod: the registration of a pruning method — its name, its options record (whose Setting
// properties are its recipe keys and CLI flags), which parts of the shared schedule it takes (ScheduleParts), the
// checks that span several settings, and the factory that makes an IPruningMethod from options. PruningMethods
// lists the registrations; the recipe loader and writer, `topiary prune` and the reports read everything from here.
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>Which parts of the shared prune settings a method takes.</summary>
[Flags]
public enum ScheduleParts
{
    /// <summary>None: the method finds its own densities and schedule.</summary>
    None = 0,
    /// <summary><c>schedule</c> (one-shot or iterative) and <c>rounds</c>.</summary>
    Rounds = 1,
    /// <summary><c>schedule: agp</c> as well.</summary>
    Agp = 2,
    /// <summary>Per-layer <c>targets</c>.</summary>
    Targets = 4,
    /// <summary>The <c>scope</c> key.</summary>
    Scope = 8,
    /// <summary><c>global_sparsity</c> (with <c>scope: global</c>).</summary>
    Global = 16,
    /// <summary>The <c>retrain</c> section's epochs and learning-rate scale.</summary>
    Retrain = 32,
    /// <summary>The <c>retrain</c> section's regularization, freeze and reinitialize as well.</summary>
    RetrainExtras = 64,
    /// <summary>Everything a mask pruner's schedule takes.</summary>
    MaskSchedule = Rounds | Agp | Targets | Scope | Global | Retrain | RetrainExtras,
}

/// <summary>The shape of the shared settings a method's cross-checks see.</summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="GlobalScope">Scope global (one sparsity across layers).</param>
/// <param name="TargetCount">Per-layer targets given.</param>
public readonly record struct SharedSettings(ScheduleKind Schedule, bool GlobalScope, int TargetCount);

/// <summary>A registered pruning method.</summary>
public sealed class PruningMethod
{
    private readonly Func<object, IPruningMethod> _create;
    private readonly Action<object, SharedSettings>? _check;
    private readonly Func<object, bool>? _needsTargets;

    private PruningMethod(string name, string summary, Type optionsType, ScheduleParts parts, Func<object, IPruningMethod> create,
        Action<object, SharedSettings>? check, Func<object, bool>? needsTargets, IReadOnlyDictionary<string, string>? foreignKeyNotes)
    {
        Name = name;
        Summary = summary;
        OptionsType = optionsType;
        Parts = parts;
        _create = create;
        _check = check;
        _needsTargets = needsTargets;
        ForeignKeyNotes = foreignKeyNotes ?? new Dictionary<string, string>();
        Options = Setting.Of(optionsType);
    }

    /// <summary>Registers a method.</summary>
    /// <typeparam name="TOptions">Its options record (a class with a parameterless constructor; settings marked with <see cref="SettingAttribute"/>).</typeparam>
    /// <param name="name">The method's name in recipes, on the command line and in reports (kebab-case).</param>
    /// <param name="summary">One sentence: what it removes and whose method it is.</param>
    /// <param name="parts">The shared settings it takes.</param>
    /// <param name="create">Makes the method from its options.</param>
    /// <param name="check">Checks spanning several settings; throws <see cref="SettingValueException"/> naming the key at fault.</param>
    /// <param name="needsTargets">Whether per-layer targets are required with these options (default: when <paramref name="parts"/> has Targets and the scope is per layer).</param>
    /// <param name="foreignKeyNotes">Why a key of another method does not apply here (key → note), for error messages.</param>
    public static PruningMethod Of<TOptions>(string name, string summary, ScheduleParts parts, Func<TOptions, IPruningMethod> create,
        Action<TOptions, SharedSettings>? check = null, Func<TOptions, bool>? needsTargets = null,
        IReadOnlyDictionary<string, string>? foreignKeyNotes = null) where TOptions : class, new()
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        return new PruningMethod(name, summary, typeof(TOptions), parts, o => create((TOptions)o),
            check is null ? null : (o, s) => check((TOptions)o, s), needsTargets is null ? null : o => needsTargets((TOptions)o), foreignKeyNotes);
    }

    /// <summary>The method's name (kebab-case).</summary>
    public string Name { get; }

    /// <summary>One sentence for help texts.</summary>
    public string Summary { get; }

    /// <summary>The options record type.</summary>
    public Type OptionsType { get; }

    /// <summary>The shared settings it takes.</summary>
    public ScheduleParts Parts { get; }

    /// <summary>Its own settings, in declaration order.</summary>
    public IReadOnlyList<Setting> Options { get; }

    /// <summary>Why a key of another method does not apply here, by key.</summary>
    public IReadOnlyDictionary<string, string> ForeignKeyNotes { get; }

    /// <summary>The options record with every setting at its default.</summary>
    public object DefaultOptions() => Activator.CreateInstance(OptionsType)!;

    /// <summary>An options record from given settings (key → parsed value); the others keep their defaults.</summary>
    /// <exception cref="ArgumentException">A key that is not one of this method's settings.</exception>
    public object CreateOptions(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        object options = DefaultOptions();
        foreach (var (key, value) in values)
        {
            Setting option = Options.FirstOrDefault(o => o.Key == key)
                ?? throw new ArgumentException($"'{key}' is not a setting of method {Name}.", nameof(values));
            option.Set(options, value);
        }
        return options;
    }

    /// <summary>Runs the cross-setting checks.</summary>
    /// <exception cref="SettingValueException">A combination that does not work; its key names the setting to blame.</exception>
    public void Check(object options, SharedSettings shared)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (shared.Schedule == ScheduleKind.Agp && !Parts.HasFlag(ScheduleParts.Agp))
            throw new SettingValueException("schedule", $"method {Name} runs one-shot or iterative schedules, not agp");
        _check?.Invoke(options, shared);
    }

    /// <summary>Whether per-layer targets are required with <paramref name="options"/> at layer scope.</summary>
    public bool NeedsTargets(object options) => Parts.HasFlag(ScheduleParts.Targets) && (_needsTargets?.Invoke(options) ?? true);

    /// <summary>The method, configured by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is not this method's options type.</exception>
    public IPruningMethod Create(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OptionsType.IsInstanceOfType(options))
            throw new ArgumentException($"Method {Name} takes {OptionsType.Name}, not {options.GetType().Name}.", nameof(options));
        return _create(options);
    }
}
