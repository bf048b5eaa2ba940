// EyerissEnergyModel: access counts and energy of one layer on an Eyeriss-like accelerator with the
// row-stationary (RS) dataflow, after Yang, Chen, Sze (CVPR 2017). A pure function of the layer shape,
// weight density wd, input-activation density ad, bit width b and the batch N; every count below is reported.
// Groups are mapped one after another: all counts are computed for one group (Cg = C/G input channels,
// Mg = M/G filters) and multiplied by G. A fully-connected layer is the conv R = S = H = W = E = F = 1.
//
// Capacities (in values): RF N = RfBytes·8/b per PE, buffer B = BufferBytes·8/b; array 12 rows × 14 cols.
//
// Mapping (RS). A PE keeps filter rows (S weights each) in its RF and slides them over one input row, making
// one row of partial sums. A PE set is r_a = min(R, 12) rows (one filter row each) × e_a = min(E, 14) columns
// (one output row each): filter rows are reused horizontally, input rows diagonally (PE (r, e) reads input
// row e·U − P + r), psums accumulate vertically. Sets are replicated:
//   n_v = ⌊12 / r_a⌋ sets stacked vertically work on different input channels (their psums keep accumulating
//         down the column: one accumulation chain spans n_v·r_a (channel, filter-row) contributions);
//   n_h = ⌊14 / e_a⌋ sets side by side work on different filters;
//   p   = min(Mg, ⌊(N − S)/(S + 1)⌋) filters per PE: its RF holds p filter rows (p·S), one input window (S) and
//         p psums. Filters in flight m_arr = min(Mg, p·n_h); filter sub-passes F_sp = ⌈Mg / m_arr⌉.
// Buffer tiling. The buffer holds a band of input rows (all Cg channels) and the psums of the filters in
// flight for the band's output rows: the band is e_t output rows, the largest e_t ≤ E with
//   Cg·min(H, (e_t − 1)·U + R)·W + m_arr·e_t·F ≤ B.
// Bands = ⌈E / e_t⌉; band k needs input rows [max(0, e0·U − P), min(H, (e1 − 1)·U − P + R)) — halo rows
// between bands are fetched twice. I_band = Cg·W·Σ_k rows_k (= Cg·H·W when the layer fits: one band).
// The band's inputs stay in the buffer while all filter sub-passes run, so inputs leave DRAM once per band
// row; weights are streamed from DRAM through the buffer once per band. When no band of all Cg channels
// fits (wide early layers, e.g. VGG-16 conv1_2), the inputs are STREAMED instead: e_t is the largest with
// min(H, (e_t − 1)·U + R)·W (one channel's rows) + m_arr·e_t·F ≤ B, the psums stay in the buffer, and every
// filter sub-pass streams the band's channels from DRAM again: input DRAM passes D_in = F_sp (else 1).
//
// Counts per group and image (Wg = Mg·Cg·R·S weights, Og = Mg·E·F outputs, MACs_g = Wg·E·F, ns = MACs_g·wd·ad,
// N = batch: a weight brought on chip serves the N images of a batch — in RS a PE keeps a filter row while the rows
// of the batch's images pass through it — so every weight count above the RF is divided by N):
//   level   inputs                        weights            psums
//   DRAM    z(I_band, ad)·D_in            z(Wg, wd)·bands/N  Og                       (outputs written once)
//   buffer  I_band·F_sp                   Wg·bands/N         2·Og·n_chains            (chain result read-modify-write + final read)
//   array   Cg·W·V·F_sp                   Wg·E/N             Og·(Cg·R − n_chains)     (one hop per chain link)
//   RF      ns                            ns                2·ns                     (operand reads; psum read + write)
// where z(n, d) = min(n, n·d·(1 + IndexBits/b)) is compressed DRAM traffic (zeros are not fetched; each
// non-zero carries an index; never worse than dense), V = #{(r, e): 0 ≤ e·U − P + r < H} is the number of
// (PE, input row) deliveries of one channel (padding rows are not sent), and
// n_chains = ⌈Cg / n_v⌉·⌈R / r_a⌉ accumulation chains per output.
// Energy = ns·e_MAC + Σ_level accesses·e_level, every cost scaled by b/16 (EnergyCosts).
//
// Assumptions (stated, not exhaustive): the buffer tiling (bands, sub-passes) is that of one image — holding the
// batch's other images on chip is not charged (it would change the tiling, not the per-image weight amortisation
// that dominates the FC layers); non-skipped MACs = MACs·wd·ad (weights and
// activations zero independently); a skipped MAC touches no RF operand (zero flags travel with the data);
// compression applies to DRAM only — buffer and array move dense data; the cost of filling a level is
// charged at the level the datum comes from (an RF fill is an array or buffer access); outputs are written
// dense; a layer whose single output row of psums plus one channel's input rows does not fit is rejected.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.Energy;

/// <summary>Row-stationary energy model of an Eyeriss-like accelerator (Yang et al. 2017).</summary>
public sealed class EyerissEnergyModel : ILayerEnergyModel
{
    /// <summary>The model with <see cref="EyerissConfig.Default"/> and <see cref="EnergyCosts.Eyeriss"/>.</summary>
    public static EyerissEnergyModel Default { get; } = new(EyerissConfig.Default, EnergyCosts.Eyeriss);

    /// <summary>Creates the model for a chip and its costs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An invalid <paramref name="config"/> field.</exception>
    public EyerissEnergyModel(EyerissConfig config, EnergyCosts costs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(costs);
        config.Validate();
        Config = config;
        Costs = costs;
    }

    /// <summary>The accelerator.</summary>
    public EyerissConfig Config { get; }

    /// <inheritdoc/>
    public EnergyCosts Costs { get; }

    /// <inheritdoc/>
    public string Name => "eyeriss";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The register file cannot hold one filter row, input window and psum, or the
    /// buffer cannot hold one output-row band of the layer at this bit width; the message names the layer.</exception>
    public LayerEnergy Estimate(LayerShape layer, double weightDensity, double inputDensity, int bits)
    {
        ArgumentNullException.ThrowIfNull(layer);
        EnergyGuard.Density(weightDensity, nameof(weightDensity));
        EnergyGuard.Density(inputDensity, nameof(inputDensity));
        EnergyGuard.Bits(bits);
        var mapping = Map(layer, bits);

        int g = layer.Groups, cg = layer.C / g, mg = layer.M / g;
        int r = layer.R, e = layer.E, f = layer.F, u = layer.Stride, p = layer.Padding, h = layer.H, w = layer.W;
        double wg = (double)mg * cg * r * layer.S;
        double og = (double)mg * e * f;
        double macsG = wg * e * f;
        double ns = macsG * weightDensity * inputDensity;

        double bandRows = 0;
        for (int e0 = 0; e0 < e; e0 += mapping.OutputRowsPerBand)
        {
            int e1 = Math.Min(e, e0 + mapping.OutputRowsPerBand);
            bandRows += InputRows(e0, e1, u, p, r, h);
        }
        double inputsBand = (double)cg * w * bandRows;
        double deliveries = 0;
        for (int ri = 0; ri < r; ri++)
            for (int ei = 0; ei < e; ei++)
            {
                int row = ei * u - p + ri;
                if (row >= 0 && row < h) deliveries++;
            }
        int chains = mapping.ChainsPerOutput;
        int bands = mapping.RowBands, subPasses = mapping.FilterSubPasses;
        int index = Config.IndexBits;

        double perImage = 1.0 / Config.Batch; // weight traffic is shared by the batch
        var perGroup = new LevelAccesses(
            Dram: new DataAccesses(EnergyGuard.Compressed(inputsBand, inputDensity, index, bits) * mapping.InputDramPasses,
                EnergyGuard.Compressed(wg, weightDensity, index, bits) * bands * perImage, og),
            Buffer: new DataAccesses(inputsBand * subPasses, wg * bands * perImage, 2 * og * chains),
            Array: new DataAccesses((double)cg * w * deliveries * subPasses, wg * e * perImage, og * ((double)cg * r - chains)),
            Rf: new DataAccesses(ns, ns, 2 * ns));
        var accesses = new LevelAccesses(perGroup.Dram.Times(g), perGroup.Buffer.Times(g), perGroup.Array.Times(g), perGroup.Rf.Times(g));
        double nonSkipped = ns * g;
        var energy = EnergyBreakdown.Of(accesses, nonSkipped, Costs, Costs.Scale(bits));
        return new LayerEnergy(layer, weightDensity, inputDensity, bits, layer.Macs, nonSkipped, accesses, energy, mapping);
    }

    /// <summary>The row-stationary mapping of <paramref name="layer"/> at <paramref name="bits"/> bits (see the file header).</summary>
    /// <exception cref="ArgumentException">The RF or the buffer is too small for the layer.</exception>
    public RowStationaryMapping Map(LayerShape layer, int bits)
    {
        ArgumentNullException.ThrowIfNull(layer);
        EnergyGuard.Bits(bits);
        int cg = layer.C / layer.Groups, mg = layer.M / layer.Groups;
        int ra = Math.Min(layer.R, Config.PeRows), ea = Math.Min(layer.E, Config.PeColumns);
        int nv = Math.Max(1, Config.PeRows / ra), nh = Math.Max(1, Config.PeColumns / ea);
        long rf = Config.RfValues(bits);
        long perPe = (rf - layer.S) / (layer.S + 1);
        if (perPe < 1)
            throw new ArgumentException(
                $"Layer '{layer.Name}': a {Config.RfBytesPerPe} B register file holds {rf} values of {bits} bits, too few for one " +
                $"filter row, input window and psum (needs {2 * layer.S + 1}).", nameof(layer));
        int filtersPerPe = (int)Math.Min(mg, perPe);
        int inFlight = (int)Math.Min(mg, (long)filtersPerPe * nh);
        int subPasses = (mg + inFlight - 1) / inFlight;

        long buffer = Config.BufferValues(bits);
        int inputPasses = 1;
        int rowsPerBand = RowsPerBand(layer, cg, inFlight, buffer);
        if (rowsPerBand == 0)
        {
            inputPasses = subPasses;
            rowsPerBand = RowsPerBand(layer, 1, inFlight, buffer);
        }
        if (rowsPerBand == 0)
            throw new ArgumentException(
                $"Layer '{layer.Name}': one output row of {inFlight} psums plus one channel's {Math.Min(layer.H, layer.R)}x{layer.W} input rows " +
                $"does not fit a {Config.BufferBytes} B buffer at {bits} bits.", nameof(layer));
        int bands = (layer.E + rowsPerBand - 1) / rowsPerBand;
        int chains = ((cg + nv - 1) / nv) * ((layer.R + ra - 1) / ra);
        return new RowStationaryMapping(filtersPerPe, inFlight, subPasses, rowsPerBand, bands, chains, inputPasses);
    }

    // Largest e_t with channels·min(H, (e_t − 1)·U + R)·W + inFlight·e_t·F ≤ buffer, or 0.
    private static int RowsPerBand(LayerShape layer, int channels, int inFlight, long buffer)
    {
        for (int et = layer.E; et >= 1; et--)
        {
            long need = (long)channels * Math.Min(layer.H, (et - 1) * layer.Stride + layer.R) * layer.W + (long)inFlight * et * layer.F;
            if (need <= buffer) return et;
        }
        return 0;
    }

    private static int InputRows(int e0, int e1, int stride, int padding, int r, int h)
    {
        int first = Math.Max(0, e0 * stride - padding);
        int end = Math.Min(h, (e1 - 1) * stride - padding + r);
        return Math.Max(0, end - first);
    }
}
