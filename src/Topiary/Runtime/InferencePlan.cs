// InferencePlan: a Sequential model compiled for inference at one fixed batch size.
//   Compile walks the children once (nested Sequentials are flattened) tracking the per-example shape:
//   A layer whose codes PlanOptions.Codes holds (a .tpz's QuantizedLayer, FromCompressed) runs as CodebookWeight from
//   them instead of the format FormatChooser would pick from its float weights.
//     Linear  [in]       → the weight in the format FormatChooser picks (dense GEMM/GEMV, CSR, CSR16, SIMD-group, block,
//                          sell) or its codes; a following ReLU is fused. A sell or codebook layer that feeds another
//                          Linear (through ReLU, Dropout or Identity only) runs with its rows in SellRowOrder (fewer
//                          padded steps); its bias is permuted alike and the next Linear is built with its columns in
//                          that order (float weights or codes), so the plan's intermediate outputs are permuted but its
//                          result is not
//     Conv2d  [C, H, W]  → im2col, then dense GEMM or sparse weights × columns (PlanOptions.SparseConv); bias, ReLU fused;
//                          any stride, dilation and (asymmetric) padding; grouped/depthwise convolutions (groups > 1)
//                          are refused (NotSupportedException naming the layer)
//     MaxPool2d, ReLU    → ops (any window, stride, padding, ceil_mode);   Flatten → shape change only;
//     Dropout, Identity  → skipped (inference)
//   Anything else throws NotSupportedException naming the module.
// Weights are copied into their format at compile time: later edits to the model are not seen.
// Run(input, output) reads [batch, in] and writes [batch, out]; with one thread it allocates nothing after the first
// call (every buffer is owned by the plan). With PlanOptions.Threads (default: Threading.MaxDegreeOfParallelism) > 1 and
// at least 4 examples per thread, the batch is split into per-thread example ranges (each step has per-range scratch).
// A plan is not thread-safe: one Run at a time.
using System.Globalization;
using System.Text;
using Topiary.Compression.Container;
using Topiary.Nn;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>A model compiled into fused, preallocated inference steps for a fixed batch size.</summary>
public sealed class InferencePlan
{
    private readonly PlanStep[] _steps;

    private readonly int _chunks;
    private readonly float[]? _inputCopy;

    private InferencePlan(PlanStep[] steps, int batch, int[] inputShape, int[] outputShape, int threads)
    {
        _steps = steps;
        _chunks = Math.Clamp(Math.Min(threads, batch / 4), 1, batch); // at least 4 examples per thread
        foreach (var s in steps) s.PrepareChunks(_chunks);
        if (_chunks > 1) _inputCopy = new float[batch * inputShape.Aggregate(1, (a, b) => a * b)];
        Batch = batch;
        InputShape = inputShape;
        OutputShape = outputShape;
    }

    /// <summary>The batch size the plan was compiled for.</summary>
    public int Batch { get; }

    /// <summary>Per-example input shape (without the batch axis).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Per-example output shape (without the batch axis).</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Elements per example of the input.</summary>
    public int InputLength => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Elements per example of the output.</summary>
    public int OutputLength => OutputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The compiled steps in execution order.</summary>
    public IReadOnlyList<PlanStep> Steps => _steps;

    /// <summary>
    /// Compiles <paramref name="model"/> for inputs [<paramref name="batch"/>, ..<paramref name="inputShapeWithoutBatch"/>].
    /// </summary>
    /// <exception cref="NotSupportedException">The model contains a module the plan cannot run (named in the message).</exception>
    /// <exception cref="ArgumentException">The batch is below 1, or a layer does not fit the shape reaching it.</exception>
    public static InferencePlan Compile(Sequential model, int[] inputShapeWithoutBatch, int batch, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapeWithoutBatch);
        if (batch < 1) throw new ArgumentException($"Batch size must be at least 1 (was {batch}).", nameof(batch));
        if (inputShapeWithoutBatch.Length == 0 || inputShapeWithoutBatch.Any(d => d < 1))
            throw new ArgumentException($"Input shape {Tensor.ShapeString(inputShapeWithoutBatch)} must be non-empty with positive dimensions.", nameof(inputShapeWithoutBatch));
        options ??= PlanOptions.Default;

        var modules = new List<(string Name, Module Module)>();
        Collect(model, "", modules);
        var steps = new List<PlanStep>();
        int[] shape = (int[])inputShapeWithoutBatch.Clone();
        int[]? order = null; // the previous Linear's output order when it runs with permuted rows (null = natural order)
        for (int i = 0; i < modules.Count; i++)
        {
            var (name, module) = modules[i];
            bool fuseRelu = i + 1 < modules.Count && modules[i + 1].Module is ReLU;
            string fused = fuseRelu ? name + "+" + modules[i + 1].Name : name;
            switch (module)
            {
                case Linear lin:
                {
                    if (shape.Length != 1 || shape[0] != lin.InFeatures)
                        throw ShapeError(name, lin.ToString(), $"[{lin.InFeatures}]", shape);
                    float[]? bias = lin.Bias is null ? null : (float[])lin.Bias.Value.Data.Clone();
                    int rows = lin.OutFeatures, cols = lin.InFeatures;
                    bool feeds = FeedsLinear(modules, fuseRelu ? i + 2 : i + 1);
                    int[]? inputOrder = order;
                    order = null;
                    SparseWeight weight;
                    if (CodesOf(options, name, rows, cols) is { } codes)
                    {
                        // Rows in the order that packs sell's slices best; the next Linear reads its columns in that order.
                        if (inputOrder is not null) codes = codes.PermuteColumns(inputOrder);
                        if (feeds) codes = codes.PermuteRows(order = SellRowOrder.Find(codes.Pointers, codes.Columns, rows, cols));
                        weight = codes.ToWeight();
                    }
                    else
                    {
                        float[] w = inputOrder is null ? lin.Weight.Value.Data : PermuteColumns(lin.Weight.Value.Data, rows, cols, inputOrder);
                        weight = FormatChooser.Choose(w, rows, cols, 0, batch, options, name);
                        if (weight is SellWeight && feeds)
                        {
                            order = SellRowOrder.Find(w, rows, cols);
                            weight = new SellWeight(PermuteRows(w, rows, cols, order), rows, cols);
                        }
                    }
                    if (order is not null && bias is not null) bias = [.. order.Select(r => bias[r])];
                    steps.Add(new LinearStep(fused, weight, bias, fuseRelu, batch));
                    shape = [lin.OutFeatures];
                    if (fuseRelu) i++;
                    break;
                }
                case Conv2d conv:
                {
                    if (conv.Groups != 1)
                        throw new NotSupportedException(
                            $"InferencePlan: layer '{name}' ({conv}) has groups = {conv.Groups}; the plan runs ungrouped convolutions only (groups = 1).");
                    if (shape.Length != 3 || shape[0] != conv.InChannels)
                        throw ShapeError(name, conv.ToString(), $"[{conv.InChannels}, H, W]", shape);
                    Conv2dGeometry g;
                    try { g = conv.Geometry(shape[1], shape[2]); }
                    catch (ArgumentException e) { throw new ArgumentException($"Plan: layer '{name}' ({conv}): {e.Message}", nameof(inputShapeWithoutBatch), e); }
                    float[]? bias = conv.Bias is null ? null : (float[])conv.Bias.Value.Data.Clone();
                    var weight = CodesOf(options, name, conv.OutChannels, g.ColumnRows)?.ToWeight()
                        ?? FormatChooser.Choose(conv.Weight.Value.Data, conv.OutChannels, g.ColumnRows, g.ColumnCols, batch, options, name);
                    steps.Add(new ConvStep(fused, g, weight, bias, fuseRelu, batch));
                    shape = [conv.OutChannels, g.OutH, g.OutW];
                    if (fuseRelu) i++;
                    break;
                }
                case MaxPool2d pool:
                {
                    var (t, l, b, r) = pool.Pads;
                    int minH = Math.Max(1, pool.Kernel.H - t - b), minW = Math.Max(1, pool.Kernel.W - l - r);
                    if (shape.Length != 3 || shape[1] < minH || shape[2] < minW)
                        throw ShapeError(name, pool.ToString(), $"[C, H, W] with H >= {minH} and W >= {minW}", shape);
                    var g = new Conv2dGeometry(shape[0], shape[1], shape[2], pool.Kernel, pool.Strides, pool.Pads, (1, 1), pool.CeilMode);
                    steps.Add(new MaxPoolStep(name, g, batch));
                    shape = [g.Channels, g.OutH, g.OutW];
                    break;
                }
                case ReLU:
                    steps.Add(new ReluStep(name, Product(shape), batch));
                    break;
                case Flatten { Axis: 1 }:
                    shape = [Product(shape)];
                    break;
                case Dropout or Identity:
                    break;
                default:
                    throw new NotSupportedException($"InferencePlan: module '{name}' ({module.GetType().Name}: {module}) is not supported.");
            }
        }
        return new InferencePlan([.. steps], batch, (int[])inputShapeWithoutBatch.Clone(), shape, options.Threads ?? Threading.MaxDegreeOfParallelism);
    }

    /// <summary>
    /// Compiles a decoded container's model with its weight-shared layers running from their codes and codebooks
    /// (<see cref="PlanOptions.Codes"/> = <paramref name="file"/>'s codes); the other layers as <see cref="Compile"/> chooses.
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not a Sequential, or contains a module the plan cannot run.</exception>
    /// <exception cref="ArgumentException">As <see cref="Compile"/>.</exception>
    public static InferencePlan FromCompressed(CompressedFile file, int[] inputShapeWithoutBatch, int batch, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Model.Network is not Sequential model)
            throw new NotSupportedException($"InferencePlan: model '{file.Model.Name}' is a {file.Model.Network.GetType().Name}; plans compile Sequential models.");
        return Compile(model, inputShapeWithoutBatch, batch, (options ?? PlanOptions.Default) with { Codes = file.Codes });
    }

    /// <summary>
    /// Runs the plan: <paramref name="input"/> [Batch, InputLength] → <paramref name="output"/> [Batch, OutputLength].
    /// Allocation-free once the JIT and the thread's GEMM scratch are warm. Not thread-safe.
    /// </summary>
    /// <exception cref="ArgumentException">A span length differs from Batch times the per-example length.</exception>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        int inLen = Batch * InputLength, outLen = Batch * OutputLength;
        if (input.Length != inLen)
            throw new ArgumentException($"Input has {input.Length} elements; the plan expects {inLen} (batch {Batch} × {InputLength}).", nameof(input));
        if (output.Length != outLen)
            throw new ArgumentException($"Output has {output.Length} elements; the plan expects {outLen} (batch {Batch} × {OutputLength}).", nameof(output));
        if (_steps.Length == 0)
        {
            input.CopyTo(output);
            return;
        }
        if (_chunks == 1)
        {
            RunChunk(input, 0, Batch, 0);
        }
        else
        {
            input.CopyTo(_inputCopy);
            RunParallel();
        }
        _steps[^1].Output.AsSpan(0, outLen).CopyTo(output);
    }

    // Disjoint example ranges on different threads; every example is computed exactly as in a sequential run of the
    // same range size, so a plan's results depend only on its batch and chunk count. (A separate method: the lambda's
    // closure must not be allocated on the single-threaded path.)
    private void RunParallel()
    {
        int per = (Batch + _chunks - 1) / _chunks;
        Parallel.For(0, _chunks, new ParallelOptions { MaxDegreeOfParallelism = _chunks },
            c => RunChunk(_inputCopy, c * per, Math.Min(per, Batch - c * per), c));
    }

    private void RunChunk(ReadOnlySpan<float> input, int start, int count, int chunk)
    {
        if (count <= 0) return;
        ReadOnlySpan<float> x = input.Slice(start * InputLength, count * InputLength);
        foreach (var step in _steps)
        {
            var y = step.Output.AsSpan(start * step.OutputLength, count * step.OutputLength);
            step.Execute(x, y, count, chunk);
            x = y;
        }
    }

    /// <summary>Total weight storage of the plan in bytes (each weight layer in its chosen format).</summary>
    public long WeightBytes => _steps.Sum(s => s.WeightBytes);

    /// <summary>Bytes of the column forms the steps keep beside their weights for the batch-1 dataflow over non-zero inputs.</summary>
    public long ColumnBytes => _steps.Sum(s => s.ColumnBytes);

    /// <summary>
    /// Per-step latency: runs the plan once on <paramref name="input"/>, then times every step on its real input
    /// (the previous step's output), interleaved, for about <paramref name="seconds"/> in total. One entry per step.
    /// </summary>
    /// <exception cref="ArgumentException">The input length differs from Batch × InputLength.</exception>
    public IReadOnlyList<Latency> TimeSteps(ReadOnlySpan<float> input, double seconds = 1.0)
    {
        var output = new float[Batch * OutputLength];
        Run(input, output);
        float[] first = input.ToArray();
        var actions = new Action[_steps.Length];
        for (int i = 0; i < _steps.Length; i++)
        {
            var step = _steps[i];
            float[] x = i == 0 ? first : _steps[i - 1].Output;
            actions[i] = () => step.Execute(x, step.Output, Batch, 0);
        }
        return LatencyMeter.Compare(actions, seconds, warmup: 10, sliceSeconds: 0.005); // many short steps of one plan
    }

    /// <summary>A table of the steps: name, kind (weight format or op), weight density and what the step does.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"InferencePlan batch={Batch} input={Tensor.ShapeString(InputShape.ToArray())} output={Tensor.ShapeString(OutputShape.ToArray())}\n");
        foreach (var s in _steps)
            sb.Append(CultureInfo.InvariantCulture, $"  {s.Name,-16} {s.Kind,-10} density={s.Density,7:P2}  {s.Detail}\n");
        return sb.ToString();
    }

    // The layer's codes when the options hold them (≤ 255 centroids, the shape the plan expects), else null.
    private static CodeRows? CodesOf(PlanOptions options, string layer, int rows, int cols)
    {
        if (options.Codes is null || !options.Codes.TryGetValue(layer + ".weight", out var codes) || codes.Centroids.Length > CodebookWeight.MaxCentroids)
            return null;
        if (codes.Rows != rows || codes.Cols != cols)
            throw new ArgumentException($"Plan: layer '{layer}' is [{rows}, {cols}] but its codes are [{codes.Rows}, {codes.Cols}].", nameof(options));
        return CodeRows.From(codes);
    }

    private static void Collect(Sequential seq, string prefix, List<(string, Module)> into)
    {
        foreach (var (name, child) in seq.NamedChildren())
        {
            string full = prefix.Length == 0 ? name : prefix + "." + name;
            if (child is Sequential inner) Collect(inner, full, into);
            else into.Add((full, child));
        }
    }

    // True when the module at `next` (after any ReLU, Dropout or Identity, which do not care about feature order) is a
    // Linear layer, so the current Linear may emit its features in any order the next one is built for.
    private static bool FeedsLinear(List<(string Name, Module Module)> modules, int next)
    {
        while (next < modules.Count && modules[next].Module is ReLU or Dropout or Identity) next++;
        return next < modules.Count && modules[next].Module is Linear;
    }

    // W[r, order[j]] → column j (the input arrives permuted by `order`).
    private static float[] PermuteColumns(float[] w, int rows, int cols, int[] order)
    {
        var permuted = new float[w.Length];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) permuted[r * cols + j] = w[r * cols + order[j]];
        return permuted;
    }

    // Row order[i] → row i.
    private static float[] PermuteRows(float[] w, int rows, int cols, int[] order)
    {
        var permuted = new float[w.Length];
        for (int i = 0; i < rows; i++) w.AsSpan(order[i] * cols, cols).CopyTo(permuted.AsSpan(i * cols, cols));
        return permuted;
    }

    private static int Product(int[] shape) => shape.Aggregate(1, (a, b) => checked(a * b));

    private static ArgumentException ShapeError(string name, string module, string expected, int[] actual) =>
        new($"Plan: layer '{name}' ({module}) expects per-example shape {expected}, got {Tensor.ShapeString(actual)}.");
}
