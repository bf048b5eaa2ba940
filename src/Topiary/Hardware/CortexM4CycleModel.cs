// CortexM4CycleModel: estimated cycles of one weight layer on a Cortex-M4 with 16-bit fixed-point weights and
// activations, per example, for Dense, Csr (int32 indices), Csr16 (16-bit absolute or 8-bit relative indices)
// and SimdGroup (width 2: SMLAD on aligned weight pairs). Costs come from CortexM4Costs (c). With
// O = Rows·Positions outputs, per output:
//  Dense     pairs = floor(Cols/2), it = ceil(pairs/U), odd = Cols mod 2
//            loads = it·(c.Load − c.PipelinedLoad) + 2·pairs·c.PipelinedLoad + odd·(c.Load + c.PipelinedLoad)
//                    (each iteration issues its 2·u weight/input pair loads back to back; an odd tail loads 2 halfwords)
//            macs  = pairs·c.Smlad + odd·c.Mla;  loop = it·(c.Alu + 1 + P);  output = c.OutputCycles
//  Csr/Csr16 per stored entry e (non-zeros, + fillers for Relative8), walked once per position:
//            loads = c.Load + c.PipelinedLoad (value, index) + c.Load (activation: its address needs the index,
//                    so it cannot pipeline);  decode = 0 absolute (register-offset addressing) or
//                    c.Alu + c.AddressDependencyStall relative (ADD to the running column, then the dependent load)
//            macs = c.Mla (no dual MAC: the activations are not adjacent);  loop = c.Alu + 1 + P
//            per output: c.OutputCycles + c.SparseRowSetupCycles
//  SimdGroup per kept group of 2: loads = c.Load + c.PipelinedLoad (packed weight pair, group index) + c.Load
//            (packed activation pair, aligned, index-dependent); macs = c.Smlad; loop = c.Alu + 1 + P;
//            per output as Csr. A partial last group (odd Cols) is stored padded; the activation buffer is padded too.
//  Conv layers copy each output position's C·KH·KW patch into a contiguous buffer first (CMSIS-NN style):
//  im2col = Positions·Cols·c.Im2ColCyclesPerElement for every format. When the weights live in flash
//  (network does not fit in SRAM), streamed weight bytes cost ceil(WeightBytes·Positions / c.FlashLineBytes)·c.FlashWaitStates.
// Weight bytes (biases excluded): Dense 2·W; Csr nnz·(2+4) + (Rows+1)·rp; Csr16 nnz·(2+2) + (Rows+1)·rp or
// (nnz+fillers)·(2+1) + (Rows+1)·rp; SimdGroup kept·(2·2+2) + (Rows+1)·rp. Block is not modelled.
using System.Globalization;
using Topiary.Nn;
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>Cortex-M4 cycle model for 16-bit fixed-point dense and sparse layers.</summary>
public sealed class CortexM4CycleModel : ProfiledCostModel
{
    /// <summary>SIMD group width of the M4's dual 16-bit MAC (SMLAD).</summary>
    public const int GroupWidth = 2;

    /// <summary>A model with the given costs (default <see cref="CortexM4Costs.Default"/>), compact-CSR index encoding and weight placement.</summary>
    public CortexM4CycleModel(CortexM4Costs? costs = null, CsrIndexEncoding compactIndex = CsrIndexEncoding.Absolute16, bool weightsInFlash = false) : base(HardwareProfile.CortexM4)
    {
        if (!Enum.IsDefined(compactIndex)) throw new ArgumentOutOfRangeException(nameof(compactIndex), compactIndex, "Unknown index encoding.");
        Costs = costs ?? CortexM4Costs.Default;
        if (Costs.DenseUnrollPairs < 1) throw new ArgumentOutOfRangeException(nameof(costs), Costs.DenseUnrollPairs, "DenseUnrollPairs must be at least 1.");
        if (Costs.FlashLineBytes < 1) throw new ArgumentOutOfRangeException(nameof(costs), Costs.FlashLineBytes, "FlashLineBytes must be at least 1.");
        if (!(Costs.ClockHz > 0)) throw new ArgumentOutOfRangeException(nameof(costs), Costs.ClockHz, "ClockHz must be positive.");
        CompactIndex = compactIndex;
        WeightsInFlash = weightsInFlash;
    }

    /// <summary>The cost constants.</summary>
    public CortexM4Costs Costs { get; }

    /// <summary>Index encoding of <see cref="SparseFormat.Csr16"/> (16-bit absolute or 8-bit relative).</summary>
    public CsrIndexEncoding CompactIndex { get; }

    /// <summary>Whether weights are streamed from flash (adds wait-state stalls) instead of SRAM.</summary>
    public bool WeightsInFlash { get; }

    /// <inheritdoc/>
    private protected override IEnumerable<string> ModelAssumptions =>
    [
        $"Cycle model: Cortex-M4 TRM timings (LDR {Costs.Load}, pipelined LDR {Costs.PipelinedLoad}, SMLAD {Costs.Smlad}, MLA {Costs.Mla}, ALU {Costs.Alu}, taken branch 1+{Costs.BranchPenalty}); clock {Costs.ClockHz / 1e6:F0} MHz.",
        $"Dense inner loop unrolled by {Costs.DenseUnrollPairs} packed pairs; sparse loops not unrolled; per output {Costs.OutputCycles} cycles (bias, requantise, store), sparse row setup {Costs.SparseRowSetupCycles}.",
        "Conv layers build an im2col patch per output position (all formats pay it); batch 1; no interrupts or bus contention.",
        $"Csr uses 32-bit column indices; Csr16 uses {(CompactIndex == CsrIndexEncoding.Absolute16 ? "16-bit absolute columns" : "8-bit relative gaps with filler entries")}; SimdGroup width 2 with one 16-bit group index; row pointers {Costs.RowPointerBytes} bytes; biases excluded from sizes.",
        WeightsInFlash
            ? $"Weights in flash: {Costs.FlashWaitStates} wait states per {Costs.FlashLineBytes}-byte line streamed (no data-cache reuse across positions)."
            : "Weights and activations in SRAM (no wait states).",
    ];

    /// <summary>Weight storage of <paramref name="layer"/> in <paramref name="format"/>, bytes (16-bit values; see the file header).</summary>
    /// <exception cref="ArgumentException">The format is not modelled (Block).</exception>
    public long WeightBytes(LayerWorkload layer, SparseFormat format)
    {
        ArgumentNullException.ThrowIfNull(layer);
        long rowPointers = (layer.Rows + 1L) * Costs.RowPointerBytes;
        return format switch
        {
            SparseFormat.Dense => layer.Weights * 2,
            SparseFormat.Csr => layer.NonZeros * (2 + 4) + rowPointers,
            SparseFormat.Csr16 when CompactIndex == CsrIndexEncoding.Absolute16 => layer.NonZeros * (2 + 2) + rowPointers,
            SparseFormat.Csr16 => (layer.NonZeros + layer.RelativeFillers(8)) * (2 + 1) + rowPointers,
            SparseFormat.SimdGroup => layer.KeptGroups(GroupWidth) * (GroupWidth * 2 + 2) + rowPointers,
            _ => throw NotModelled(format),
        };
    }

    /// <summary>16-bit activations the layer needs in SRAM: input + output (+ one Cols-long im2col buffer for conv).</summary>
    public static long ActivationBytes(LayerWorkload layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return 2 * (layer.InputElements + layer.OutputElements + (layer.Kind == LayerKind.Conv ? layer.Cols : 0));
    }

    /// <summary>
    /// Whether a network fits in SRAM: Σ weight bytes (in the given formats) + the largest per-layer activation
    /// footprint ≤ <see cref="CortexM4Costs.SramBytes"/> (activation buffers are reused layer to layer).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public bool FitsInSram(IReadOnlyList<LayerWorkload> layers, IReadOnlyList<SparseFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(formats);
        if (layers.Count != formats.Count)
            throw new ArgumentException($"{formats.Count} formats for {layers.Count} layers.", nameof(formats));
        long weights = 0, activations = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            weights += WeightBytes(layers[i], formats[i]);
            activations = Math.Max(activations, ActivationBytes(layers[i]));
        }
        return weights + activations <= Costs.SramBytes;
    }

    /// <summary>The cycle breakdown of <paramref name="layer"/> in <paramref name="format"/> (see the file header for every term).</summary>
    /// <exception cref="ArgumentException">The format is not modelled (Block).</exception>
    public CortexM4LayerEstimate Estimate(LayerWorkload layer, SparseFormat format)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var c = Costs;
        double outputs = (double)layer.Rows * layer.Positions;
        double loads, macs, decode = 0, loop, output;
        string formula;
        switch (format)
        {
            case SparseFormat.Dense:
            {
                long pairs = layer.Cols / 2, odd = layer.Cols % 2;
                long it = (pairs + c.DenseUnrollPairs - 1) / c.DenseUnrollPairs;
                loads = outputs * (it * (c.Load - c.PipelinedLoad) + 2 * pairs * c.PipelinedLoad + odd * (c.Load + c.PipelinedLoad));
                macs = outputs * (pairs * c.Smlad + odd * c.Mla);
                loop = outputs * it * (c.Alu + c.TakenBranch);
                output = outputs * c.OutputCycles;
                formula = F($"outputs {outputs} x [pairs {pairs}, iterations {it}, odd {odd}]: loads {it}*({c.Load}-{c.PipelinedLoad})+2*{pairs}*{c.PipelinedLoad}+{odd}*({c.Load}+{c.PipelinedLoad}); macs {pairs}*{c.Smlad}+{odd}*{c.Mla}; loop {it}*({c.Alu}+{c.TakenBranch}); output {c.OutputCycles}");
                break;
            }
            case SparseFormat.Csr or SparseFormat.Csr16:
            {
                bool relative = format == SparseFormat.Csr16 && CompactIndex == CsrIndexEncoding.Relative8;
                long fillers = relative ? layer.RelativeFillers(8) : 0;
                double entries = (double)(layer.NonZeros + fillers) * layer.Positions;
                double perDecode = relative ? c.Alu + c.AddressDependencyStall : 0;
                (loads, macs, loop, output) = SparseLoop(entries, c.Mla, outputs);
                decode = entries * perDecode;
                formula = F($"entries {layer.NonZeros}+{fillers} fillers x {layer.Positions} positions = {entries}: loads {SparseLoadCycles}, decode {perDecode}, mla {c.Mla}, loop {c.Alu}+{c.TakenBranch} each; outputs {outputs} x ({c.OutputCycles}+{c.SparseRowSetupCycles})");
                break;
            }
            case SparseFormat.SimdGroup:
            {
                double groups = (double)layer.KeptGroups(GroupWidth) * layer.Positions;
                (loads, macs, loop, output) = SparseLoop(groups, c.Smlad, outputs);
                formula = F($"kept groups {layer.KeptGroups(GroupWidth)} x {layer.Positions} positions = {groups}: loads {SparseLoadCycles}, smlad {c.Smlad}, loop {c.Alu}+{c.TakenBranch} each; outputs {outputs} x ({c.OutputCycles}+{c.SparseRowSetupCycles})");
                break;
            }
            default:
                throw NotModelled(format);
        }
        long weightBytes = WeightBytes(layer, format);
        double im2col = layer.Kind == LayerKind.Conv ? (double)layer.Positions * layer.Cols * c.Im2ColCyclesPerElement : 0;
        double flash = WeightsInFlash ? Math.Ceiling((double)weightBytes * layer.Positions / c.FlashLineBytes) * c.FlashWaitStates : 0;
        formula += F($"; im2col {im2col}; flash stalls {flash}");
        return new CortexM4LayerEstimate(layer.Name, format, loads, macs, decode, loop, output, im2col, flash,
            weightBytes, ActivationBytes(layer), c.ClockHz, formula);
    }

    // Loads per stored entry or group of the sparse loops: its value, its (pipelined) index and the input it selects.
    private double SparseLoadCycles => Costs.Load + Costs.PipelinedLoad + Costs.Load;

    // A sparse loop over `entries` stored entries or groups (`mac` cycles each: MLA or SMLAD) for `outputs` outputs:
    // per entry its loads, the multiply, an ALU step and a taken branch; per output the store and the row setup.
    private (double Loads, double Macs, double Loop, double Output) SparseLoop(double entries, double mac, double outputs)
    {
        var c = Costs;
        return (entries * SparseLoadCycles, entries * mac, entries * (c.Alu + c.TakenBranch), outputs * (c.OutputCycles + c.SparseRowSetupCycles));
    }

    /// <inheritdoc/>
    public override LayerCost Cost(LayerWorkload layer, SparseFormat format)
    {
        var e = Estimate(layer, format);
        return new LayerCost(layer.Name, format, e.Seconds, e.WeightBytes,
            F($"{e.TotalCycles:F0} cycles = loads {e.LoadCycles:F0} + macs {e.MacCycles:F0} + decode {e.IndexDecodeCycles:F0} + loop {e.LoopCycles:F0} + output {e.OutputCycles:F0} + im2col {e.Im2ColCycles:F0} + flash {e.FlashStallCycles:F0}"));
    }

    /// <summary>
    /// Network estimate: each side (the given formats, and the all-dense <paramref name="baseline"/> — default the same
    /// layers) is placed in SRAM when it fits (<see cref="FitsInSram"/>), otherwise its weights are streamed from flash;
    /// the placements are stated in the result's assumptions.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a format is not modelled.</exception>
    public static NetworkCostResult EstimateNetwork(IReadOnlyList<LayerWorkload> layers, IReadOnlyList<SparseFormat> formats,
        IReadOnlyList<LayerWorkload>? baseline = null, CortexM4Costs? costs = null, CsrIndexEncoding compactIndex = CsrIndexEncoding.Absolute16)
    {
        ArgumentNullException.ThrowIfNull(layers);
        baseline ??= layers;
        var probe = new CortexM4CycleModel(costs, compactIndex);
        bool fits = probe.FitsInSram(layers, formats);
        bool baseFits = probe.FitsInSram(baseline, [.. baseline.Select(_ => SparseFormat.Dense)]);
        var model = new CortexM4CycleModel(costs, compactIndex, weightsInFlash: !fits);
        var baseModel = new CortexM4CycleModel(costs, compactIndex, weightsInFlash: !baseFits);
        return NetworkCost.Evaluate(model, layers, formats, baseline, baseModel,
        [
            $"Network {(fits ? "fits" : "does not fit")} in {probe.Costs.SramBytes} B SRAM{(fits ? "" : ": weights streamed from flash")}.",
            $"Dense baseline {(baseFits ? "fits" : "does not fit")} in SRAM{(baseFits ? "" : ": its weights streamed from flash")}.",
        ]);
    }

    private static ArgumentException NotModelled(SparseFormat format) =>
        new($"Format {format} is not modelled on the Cortex-M4 (modelled: Dense, Csr, Csr16, SimdGroup).", nameof(format));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
