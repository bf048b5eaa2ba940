// SparseFormat: the storage formats a weight layer can run in (dense, or one of the sparse formats).
namespace Topiary.Runtime.Sparse;

/// <summary>How a weight matrix is stored and multiplied.</summary>
public enum SparseFormat
{
    /// <summary>Dense row-major (GEMM / GEMV).</summary>
    Dense,
    /// <summary>Compressed sparse row, int32 column indices.</summary>
    Csr,
    /// <summary>Compressed sparse row, 16-bit column indices.</summary>
    Csr16,
    /// <summary>Scalpel's SIMD-group CSR: aligned groups of consecutive weights, one index per group.</summary>
    SimdGroup,
    /// <summary>Block-sparse rows (BSR): small dense r×c blocks, one index per block.</summary>
    Block,
    /// <summary>Element-wise sparsity in 16-row slices swept by a sliding 32-column window with byte offsets (SellWeight): permutes instead of gathers.</summary>
    Sell,
    /// <summary>Deep Compression's weight sharing run as is: byte codes into ≤ 255 centroids in the sell layout (CodebookWeight; built from a codebook, not by SparseWeight.Create).</summary>
    Codebook,
}
