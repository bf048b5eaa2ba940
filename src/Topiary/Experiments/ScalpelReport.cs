// ScalpelReport: the data of `topiary reproduce scalpel` — the pruned variants (dense, traditional, one
// Scalpel variant per platform) and, per platform, the speedup and model-size reduction of traditional
// pruning and of Scalpel over the dense network (host measured; Cortex-M4 and GPU modelled, with the
// models' assumptions). The CLI renders tables and writes it as JSON (snake_case).
using Topiary.Hardware;

namespace Topiary.Experiments;

/// <summary>One layer of a variant.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Kind">conv or fc.</param>
/// <param name="Technique">none, simd-aware (width w), node, or element (traditional).</param>
/// <param name="UnitsBefore">Output units (neurons/channels) of the dense layer.</param>
/// <param name="UnitsAfter">Output units after pruning (fewer after node pruning).</param>
/// <param name="Weights">Weight elements of the (possibly shrunk) layer.</param>
/// <param name="NonZero">Non-zero weights.</param>
public sealed record ScalpelVariantLayer(string Name, string Kind, string Technique, int UnitsBefore, int UnitsAfter, long Weights, long NonZero);

/// <summary>A pruned (or dense) version of the model.</summary>
/// <param name="Name">dense, traditional, or scalpel-&lt;platform&gt;.</param>
/// <param name="Platform">The platform it was pruned for (empty for dense/traditional).</param>
/// <param name="TestError">Test error on MNIST.</param>
/// <param name="Parameters">Parameter elements (fewer after node pruning).</param>
/// <param name="NonZeroParameters">Non-zero parameter elements.</param>
/// <param name="Layers">Per layer.</param>
/// <param name="Seconds">Time spent pruning and retraining it.</param>
public sealed record ScalpelVariant(string Name, string Platform, double TestError, long Parameters, long NonZeroParameters,
    IReadOnlyList<ScalpelVariantLayer> Layers, double Seconds);

/// <summary>Per-layer timing or modelled cost of one network on one platform.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Format">dense, csr, csr16, simd-group, block, sell.</param>
/// <param name="Microseconds">Time per inference.</param>
/// <param name="WeightBytes">Weight storage.</param>
/// <param name="Detail">How it was obtained.</param>
public sealed record ScalpelLayerCost(string Layer, string Format, double Microseconds, long WeightBytes, string Detail);

/// <summary>Traditional pruning vs Scalpel on one platform.</summary>
/// <param name="Name">cortex-m4, host or gpu.</param>
/// <param name="Measured">True when timed on this machine, false when modelled.</param>
/// <param name="Parallelism">low, moderate or high.</param>
/// <param name="Method">What Scalpel does on this platform.</param>
/// <param name="DenseUs">Dense network time per inference (µs).</param>
/// <param name="TraditionalUs">Traditional pruning (CSR) time per inference.</param>
/// <param name="ScalpelUs">Scalpel time per inference.</param>
/// <param name="TraditionalSpeedup">DenseUs / TraditionalUs.</param>
/// <param name="ScalpelSpeedup">DenseUs / ScalpelUs.</param>
/// <param name="TraditionalSizeReduction">1 − traditional weight bytes / dense weight bytes.</param>
/// <param name="SizeReduction">1 − Scalpel weight bytes / dense weight bytes.</param>
/// <param name="TraditionalError">Test error of the traditional variant.</param>
/// <param name="ScalpelError">Test error of this platform's Scalpel variant.</param>
/// <param name="Paper">The paper's mean numbers for this platform class.</param>
/// <param name="Dense">Per-layer costs of the dense network.</param>
/// <param name="Traditional">Per-layer costs of the traditional variant.</param>
/// <param name="Scalpel">Per-layer costs of the Scalpel variant.</param>
/// <param name="Assumptions">Assumptions of the model (or how the host was measured).</param>
public sealed record ScalpelPlatform(string Name, bool Measured, string Parallelism, string Method,
    double DenseUs, double TraditionalUs, double ScalpelUs, double TraditionalSpeedup, double ScalpelSpeedup,
    double TraditionalSizeReduction, double SizeReduction, double TraditionalError, double ScalpelError, ScalpelPaperPlatform? Paper,
    IReadOnlyList<ScalpelLayerCost> Dense, IReadOnlyList<ScalpelLayerCost> Traditional, IReadOnlyList<ScalpelLayerCost> Scalpel,
    IReadOnlyList<string> Assumptions);

/// <summary>The whole reproduction.</summary>
/// <param name="Model">Zoo model.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Host">The host profile (measured peak and bandwidth).</param>
/// <param name="Variants">dense, traditional and the Scalpel variants.</param>
/// <param name="Platforms">Per-platform comparison.</param>
/// <param name="PaperNodeStructure">The paper's node-pruned structure for this model (units per layer).</param>
/// <param name="TotalSeconds">Wall time.</param>
public sealed record ScalpelReport(string Model, int Seed, HardwareProfile Host, IReadOnlyList<ScalpelVariant> Variants,
    IReadOnlyList<ScalpelPlatform> Platforms, IReadOnlyDictionary<string, int>? PaperNodeStructure, double TotalSeconds);
