using Topiary.Hardware.Energy;
using Topiary.Models.Shapes;

namespace Topiary.Tests.Hardware.Energy;

public class EyerissEnergyModelTests
{
    // Layer A: C=2, M=4, 3x3, 5x5 input, stride 1, no padding -> E=F=3. Fits the 108 KB buffer (one band).
    private static readonly LayerShape A = LayerShape.Conv("a", 2, 4, 3, 5);

    // Layer B: C=1, M=2, 3x3, 10x10 input, padding 1 -> E=F=10. With a 200 B buffer (100 values at 16 bits) the
    // tile is e_t = 2 output rows (inputs 1·4·10 + psums 2·2·10 = 80 <= 100; e_t = 3 needs 50 + 60 = 110).
    private static readonly LayerShape B = LayerShape.Conv("b", 1, 2, 3, 10, padding: 1);

    // The hand-computed counts below are for one image (batch 1): every image fetches every weight.
    private static readonly EyerissEnergyModel Single = new(EyerissConfig.Default with { Batch = 1 }, EnergyCosts.Eyeriss);

    private static readonly EyerissEnergyModel SmallBuffer = new(EyerissConfig.Default with { BufferBytes = 200, Batch = 1 }, EnergyCosts.Eyeriss);

    [Fact]
    public void Layer_that_fits_the_buffer_has_hand_computed_counts()
    {
        var r = Single.Estimate(A, 1, 1, 16);
        // n_v = 12/3 = 4, n_h = 14/3 = 4, p = min(4, (256-3)/4) = 4, in flight 4, one sub-pass, one band, 1 chain.
        Assert.Equal(new RowStationaryMapping(4, 4, 1, 3, 1, 1, 1), r.Mapping);
        Assert.Equal(648, r.Macs);                                          // 4·2·9·3·3
        Assert.Equal(648, r.NonSkippedMacs);
        Assert.Equal(new DataAccesses(50, 72, 36), r.Accesses.Dram);        // inputs 2·5·5, weights 72, outputs 4·3·3
        Assert.Equal(new DataAccesses(50, 72, 72), r.Accesses.Buffer);      // psums 2·36·1 chain
        Assert.Equal(new DataAccesses(90, 216, 180), r.Accesses.Array);     // 2·5·(3·3 PE rows) ; 72·E ; 36·(2·3 − 1)
        Assert.Equal(new DataAccesses(648, 648, 1296), r.Accesses.Rf);
        Assert.Equal(new EnergyBreakdown(648, 158 * 200, 194 * 6, 486 * 2, 2592), r.Energy);
        Assert.Equal(36976, r.Energy.Total);
    }

    [Fact]
    public void Layer_that_needs_tiling_fetches_halo_rows_and_weights_per_band()
    {
        var r = SmallBuffer.Estimate(B, 1, 1, 16);
        Assert.Equal(new RowStationaryMapping(2, 2, 1, 2, 5, 1, 1), r.Mapping);
        // Bands of output rows [0,2) [2,4) [4,6) [6,8) [8,10) need input rows [0,3) [1,5) [3,7) [5,9) [7,10): 18 rows.
        Assert.Equal(new DataAccesses(180, 18 * 5, 200), r.Accesses.Dram);
        Assert.Equal(new DataAccesses(180, 90, 400), r.Accesses.Buffer);
        // (r, e) pairs reading a real row: 30 minus (r=0, e=0) and (r=2, e=9) which read padding.
        Assert.Equal(new DataAccesses(10 * 28, 18 * 10, 200 * 2), r.Accesses.Array);
        Assert.Equal(new DataAccesses(1800, 1800, 3600), r.Accesses.Rf);
        // The default (108 KB) buffer holds it in one band: weights fetched once, inputs once.
        var fits = Single.Estimate(B, 1, 1, 16);
        Assert.Equal(new DataAccesses(100, 18, 200), fits.Accesses.Dram);
    }

    [Fact]
    public void Channels_are_streamed_once_per_filter_sub_pass_when_no_band_fits()
    {
        // C=4, M=8, 3x3 on 5x5 -> E=F=3. RF 14 B = 7 values: p = (7−3)/4 = 1 filter per PE; n_h = 14/3 = 4 -> 4 in flight,
        // 2 sub-passes. Buffer 120 B = 60 values: a band of all 4 channels needs ≥ 4·3·5 + 4·3 = 72 -> streamed;
        // one channel: e_t = 2 (5·4 + 4·2·3 = 44; e_t = 3 needs 25 + 36 = 61). Bands need input rows [0,4) and [2,5).
        var model = new EyerissEnergyModel(EyerissConfig.Default with { RfBytesPerPe = 14, BufferBytes = 120, Batch = 1 }, EnergyCosts.Eyeriss);
        var c = LayerShape.Conv("c", 4, 8, 3, 5);
        var r = model.Estimate(c, 1, 1, 16);
        Assert.Equal(new RowStationaryMapping(1, 4, 2, 2, 2, 1, 2), r.Mapping);
        Assert.Equal(new DataAccesses(4 * 5 * 7 * 2, 288 * 2, 72), r.Accesses.Dram);
        Assert.Equal(new DataAccesses(280, 576, 144), r.Accesses.Buffer);
        Assert.Equal(new DataAccesses(4 * 5 * 9 * 2, 288 * 3, 72 * 11), r.Accesses.Array);
        Assert.Equal(new DataAccesses(2592, 2592, 5184), r.Accesses.Rf);
    }

    [Fact]
    public void Zeros_are_not_fetched_and_skip_the_mac()
    {
        var r = Single.Estimate(A, 0.5, 0.25, 16);
        Assert.Equal(648 * 0.5 * 0.25, r.NonSkippedMacs);
        // Compressed DRAM: n·d·(1 + 5/16), never more than dense.
        Assert.Equal(50 * 0.25 * (1 + 5.0 / 16), r.Accesses.Dram.Inputs, 12);
        Assert.Equal(72 * 0.5 * (1 + 5.0 / 16), r.Accesses.Dram.Weights, 12);
        Assert.Equal(36, r.Accesses.Dram.Psums);
        Assert.Equal(new DataAccesses(81, 81, 162), r.Accesses.Rf);
        Assert.Equal(36, r.NonzeroWeights);
        var almostDense = Single.Estimate(A, 0.9, 1, 16);
        Assert.Equal(72, almostDense.Accesses.Dram.Weights);                // 0.9·1.3125 > 1: sent dense
    }

    [Fact]
    public void A_batch_shares_the_weight_traffic_above_the_rf()
    {
        // Layer A (see the first test) with batch 4: weights 72 → 18 per image at DRAM and buffer, 216 → 54 over the array.
        var model = new EyerissEnergyModel(EyerissConfig.Default with { Batch = 4 }, EnergyCosts.Eyeriss);
        var r = model.Estimate(A, 1, 1, 16);
        Assert.Equal(new DataAccesses(50, 18, 36), r.Accesses.Dram);
        Assert.Equal(new DataAccesses(50, 18, 72), r.Accesses.Buffer);
        Assert.Equal(new DataAccesses(90, 54, 180), r.Accesses.Array);
        Assert.Equal(new DataAccesses(648, 648, 1296), r.Accesses.Rf);      // RF and MACs stay per image
        Assert.Equal(new EnergyBreakdown(648, 104 * 200, 140 * 6, 324 * 2, 2592), r.Energy);
        Assert.Equal(25528, r.Energy.Total);
        Assert.Equal(r.Mapping, Single.Estimate(A, 1, 1, 16).Mapping);    // the tiling is that of one image
        Assert.Equal(EyerissConfig.DefaultBatch, EyerissEnergyModel.Default.Config.Batch);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EyerissEnergyModel(EyerissConfig.Default with { Batch = 0 }, EnergyCosts.Eyeriss));
    }

    [Fact]
    public void Groups_multiply_per_group_counts()
    {
        var grouped = LayerShape.Conv("g", 4, 8, 3, 5, groups: 2);
        var one = LayerShape.Conv("one", 2, 4, 3, 5);
        var g = EyerissEnergyModel.Default.Estimate(grouped, 1, 1, 16);
        var o = EyerissEnergyModel.Default.Estimate(one, 1, 1, 16);
        Assert.Equal(2 * o.Energy.Total, g.Energy.Total, 9);
        Assert.Equal(2 * o.Macs, g.Macs);
    }

    public static TheoryData<string> Layers => new() { "conv1", "conv2", "conv5", "fc6", "fc8" };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Energy_is_monotone_in_weight_and_activation_density(string name)
    {
        var layer = ShapeZoo.ByName("alexnet")[name];
        foreach (ILayerEnergyModel model in new ILayerEnergyModel[] { EyerissEnergyModel.Default, Cpu45nmProfile.Default })
        {
            double previousW = -1, previousA = -1;
            for (int i = 0; i <= 20; i++)
            {
                double d = i / 20.0;
                double ew = model.Estimate(layer, d, 0.5, 16).Energy.Total;
                double ea = model.Estimate(layer, 0.5, d, 16).Energy.Total;
                Assert.True(ew >= previousW, $"{model.Name} {name}: weight density {d} gives {ew} < {previousW}");
                Assert.True(ea >= previousA, $"{model.Name} {name}: input density {d} gives {ea} < {previousA}");
                previousW = ew;
                previousA = ea;
            }
            Assert.True(model.Estimate(layer, 0.1, 0.5, 16).Energy.Total < model.Estimate(layer, 1, 0.5, 16).Energy.Total);
            Assert.True(model.Estimate(layer, 0.5, 0.1, 16).Energy.Total < model.Estimate(layer, 0.5, 1, 16).Energy.Total);
        }
    }

    [Fact]
    public void Costs_scale_linearly_with_bit_width_when_the_mapping_is_unchanged()
    {
        var e16 = EyerissEnergyModel.Default.Estimate(A, 1, 1, 16);
        var e8 = EyerissEnergyModel.Default.Estimate(A, 1, 1, 8);
        var e32 = EyerissEnergyModel.Default.Estimate(A, 1, 1, 32);
        Assert.Equal(e16.Accesses, e8.Accesses);
        Assert.Equal(e16.Energy.Total / 2, e8.Energy.Total, 9);
        Assert.Equal(e16.Energy.Total * 2, e32.Energy.Total, 9);
        // Capacities shrink with wider data: the RF holds half the filter rows at 32 bits.
        var conv3 = ShapeZoo.ByName("alexnet")["conv3"];
        Assert.Equal(63, EyerissEnergyModel.Default.Map(conv3, 16).FiltersPerPe);   // (256 − 3) / 4
        Assert.Equal(31, EyerissEnergyModel.Default.Map(conv3, 32).FiltersPerPe);   // (128 − 3) / 4
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Every_zoo_network_maps(int bits)
    {
        foreach (string name in ShapeZoo.Names)
        {
            var net = ShapeZoo.ByName(name);
            var ones = net.Layers.Select(_ => 1.0).ToArray();
            var r = NetworkEnergy.Estimate(EyerissEnergyModel.Default, net, ones, ActivationDensities.Assumed(net), bits);
            Assert.Equal(net.TotalMacs, r.Macs);
            Assert.True(r.Total.Total > r.Total.Computation && double.IsFinite(r.Total.Total), name);
            Assert.Equal(r.Layers.Sum(l => l.Energy.Total), r.Total.Total, 1e-6 * r.Total.Total);
        }
    }

    [Fact]
    public void Bad_arguments_name_the_value()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EyerissEnergyModel.Default.Estimate(A, 1.5, 1, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => EyerissEnergyModel.Default.Estimate(A, 1, double.NaN, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => EyerissEnergyModel.Default.Estimate(A, 1, 1, 0));
        var tiny = new EyerissEnergyModel(EyerissConfig.Default with { BufferBytes = 20 }, EnergyCosts.Eyeriss);
        var ex = Assert.Throws<ArgumentException>(() => tiny.Estimate(B, 1, 1, 16));
        Assert.Contains("'b'", ex.Message);
        var net = ShapeZoo.ByName("lenet-5");
        Assert.Throws<ArgumentException>(() => NetworkEnergy.Estimate(EyerissEnergyModel.Default, net, [1.0], [1.0, 1, 1, 1], 16));
    }

    [Fact]
    public void Cpu_profile_charges_the_45nm_table()
    {
        var r = Cpu45nmProfile.Default.Estimate(A, 1, 1, 32);
        Assert.Null(r.Mapping);
        Assert.Equal(new DataAccesses(50, 72, 36), r.Accesses.Dram);
        Assert.Equal(new DataAccesses(648, 648, 0), r.Accesses.Buffer);
        Assert.Equal(new DataAccesses(0, 0, 1296), r.Accesses.Rf);
        Assert.Equal(648 * 4.6, r.Energy.Computation, 9);
        Assert.Equal(158 * 640, r.Energy.Dram, 9);
        Assert.Equal(1296 * 5, r.Energy.Buffer, 9);
        Assert.Equal(1296, r.Energy.Rf, 9);
        Assert.Equal(0, r.Energy.Array);
        Assert.Equal(r.Energy.Total / 2, Cpu45nmProfile.Default.Estimate(A, 1, 1, 16).Energy.Total, 9);
    }

    [Fact]
    public void Alexnet_reproduces_yang2017_table1_within_the_bands()
    {
        // Calibrated defaults: batch 8, ImageNet activation densities, Han et al.'s per-layer densities for the pruned row.
        var rows = Topiary.Experiments.Yang2017Table1.Reproduce();
        var (original, magnitude) = (rows[0], rows[1]);
        // Pinned outputs of the pure function (shapes + published densities + model defaults).
        Assert.Equal(60_954_656, original.NonzeroWeights, 6);
        Assert.Equal(344_470_864.688, original.NonSkippedMacs, 1e-3);
        Assert.Equal(4_187_972_384.64, original.Energy, 1e-2);
        Assert.Equal(6_796_192, magnitude.NonzeroWeights, 6);
        Assert.Equal(171_992_327.64864, magnitude.NonSkippedMacs, 1e-3);
        Assert.Equal(2_020_774_451.4432, magnitude.Energy, 1e-2);
        // The bands: original MACs and energy within ±15% of 3.71e8 and 3.97e9; pruned 47% ± 5 and 48% ± 5.
        Assert.InRange(original.NonSkippedMacs / 3.71e8, 0.85, 1.15);
        Assert.InRange(original.Energy / 3.97e9, 0.85, 1.15);
        Assert.InRange(magnitude.Energy / original.Energy, 0.42, 0.52);
        Assert.InRange(magnitude.NonSkippedMacs / original.NonSkippedMacs, 0.43, 0.53);
        // Batch 1 (every image fetches every FC weight) is the old, four-times-too-high estimate.
        var single = Topiary.Experiments.Yang2017Table1.Reproduce(Single);
        Assert.True(single[0].Energy > 3.5 * 3.97e9);
    }

    [Fact]
    public void Published_activation_densities_cover_alexnet_only()
    {
        var (d, source) = PublishedActivationDensities.For("alexnet");
        Assert.Equal([0.9999, 0.613, 0.275, 0.207, 0.224, 0.351, 0.353, 0.375],
            ShapeZoo.ByName("alexnet").Layers.Select(l => Math.Round(d[l.Name], 4)));
        Assert.Contains("Eyeriss", source);
        Assert.True(PublishedActivationDensities.Has("AlexNet"));
        Assert.False(PublishedActivationDensities.Has("vgg16"));
        var ex = Assert.Throws<ArgumentException>(() => PublishedActivationDensities.For("vgg16"));
        Assert.Contains("alexnet", ex.Message);
    }

    [Fact]
    public void Han2015_densities_cut_alexnet_energy()
    {
        var net = ShapeZoo.ByName("alexnet");
        var han = PublishedDensities.Han2015("alexnet");
        var ad = ActivationDensities.Assumed(net);
        var dense = NetworkEnergy.Estimate(Single, net, net.Layers.Select(_ => 1.0).ToArray(), ad, 16);
        var pruned = NetworkEnergy.Estimate(Single, net, net.Layers.Select(l => han[l.Name]).ToArray(), ad, 16);
        Assert.True(pruned.Total.Total < dense.Total.Total / 2);
        Assert.Equal(dense.Total.Buffer, pruned.Total.Buffer);              // buffer and array move dense data
        Assert.Throws<ArgumentException>(() => PublishedDensities.Han2015("googlenet"));
    }
}
