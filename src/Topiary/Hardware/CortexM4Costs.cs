// CortexM4Costs: every constant of the Cortex-M4 cycle model, named and sourced. Instruction timings follow
// the Cortex-M4 Technical Reference Manual's instruction timing table (ARM DDI 0439, §3.3): single loads
// LDR/LDRH/LDRSH 2 cycles, and a load directly following another load whose address does not depend on it
// costs 1 (pipelined); a load whose address comes from the immediately preceding data-processing result
// stalls 1 more cycle; STR 1 (write buffer); data processing (ADD, SUBS, SSAT) 1; MLA and SMLAD 1 (the M4's
// single-cycle MAC); a taken branch 1 + P with P = 1..3 pipeline-refill cycles. Platform facts: STM32F4-class
// part at 168 MHz, ~100 KB SRAM usable for weights and activations, flash 5 wait states at 168 MHz with a
// 128-bit (16-byte) read width. All values are model parameters: change them with `with { ... }`.
namespace Topiary.Hardware;

/// <summary>Cycle costs and platform constants of the Cortex-M4 model (defaults documented per member).</summary>
public sealed record CortexM4Costs
{
    /// <summary>Default costs.</summary>
    public static CortexM4Costs Default { get; } = new();

    /// <summary>A single load (LDR/LDRH/LDRSH/LDRB) not pipelined with a preceding load: 2 cycles (TRM).</summary>
    public double Load { get; init; } = 2;

    /// <summary>A load immediately after another load, address independent of it: 1 cycle (TRM: N back-to-back loads take N+1).</summary>
    public double PipelinedLoad { get; init; } = 1;

    /// <summary>Extra stall when a load's address is the result of the immediately preceding data-processing instruction: 1 cycle (TRM: no forwarding path).</summary>
    public double AddressDependencyStall { get; init; } = 1;

    /// <summary>SMLAD (two 16×16 multiplies added to a 32-bit accumulator): 1 cycle.</summary>
    public double Smlad { get; init; } = 1;

    /// <summary>MLA (32×32 + 32 multiply-accumulate): 1 cycle on the M4.</summary>
    public double Mla { get; init; } = 1;

    /// <summary>Data-processing instruction (ADD, SUBS, ASR, SSAT, MOV): 1 cycle.</summary>
    public double Alu { get; init; } = 1;

    /// <summary>Store (STR/STRH) into the write buffer: 1 cycle.</summary>
    public double Store { get; init; } = 1;

    /// <summary>Pipeline refill P of a taken branch (cost 1 + P); TRM range 1..3, default 2.</summary>
    public double BranchPenalty { get; init; } = 2;

    /// <summary>Packed pairs per iteration of the dense inner loop (loads of one iteration are issued back to back): 2 (4 MACs, CMSIS-DSP style).</summary>
    public int DenseUnrollPairs { get; init; } = 2;

    /// <summary>
    /// Per output value: accumulator init (MOV 1) + bias load (LDRSH 2) + add (1) + requantise shift (ASR 1) +
    /// saturate (SSAT 1) + store (STRH 1) + output pointer step (1) = 8 cycles.
    /// </summary>
    public double OutputCycles { get; init; } = 8;

    /// <summary>Per output of a sparse row: load the row's end pointer (LDR 2) + compare (1) + empty-row branch not taken (1) = 4 cycles.</summary>
    public double SparseRowSetupCycles { get; init; } = 4;

    /// <summary>Conv im2col: cycles per copied 16-bit element (packed pairs: pipelined LDR 1 + STR 1 per 2 elements) = 1.</summary>
    public double Im2ColCyclesPerElement { get; init; } = 1;

    /// <summary>Flash wait states when weights must be read from flash: 5 (STM32F4 at 168 MHz, 2.7–3.6 V).</summary>
    public double FlashWaitStates { get; init; } = 5;

    /// <summary>Flash read width: 16 bytes (128-bit lines); each line streamed costs <see cref="FlashWaitStates"/>.</summary>
    public int FlashLineBytes { get; init; } = 16;

    /// <summary>Core clock: 168 MHz (STM32F407 maximum).</summary>
    public double ClockHz { get; init; } = 168e6;

    /// <summary>SRAM usable for weights and activations: 100 KiB (of 192 KB on an STM32F407, after stack and buffers).</summary>
    public long SramBytes { get; init; } = 100 * 1024;

    /// <summary>Bytes per CSR row pointer: 4.</summary>
    public int RowPointerBytes { get; init; } = 4;

    /// <summary>Cycles of one taken branch: 1 + <see cref="BranchPenalty"/>.</summary>
    public double TakenBranch => 1 + BranchPenalty;
}
