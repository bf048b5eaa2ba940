// SparseDataflow: how a sparse convolution walks its non-zero weights (the outer loop; the inner loop is always
// the non-zero activations of the weight's input channel, as in accelerators that multiply a vector of
// non-zero weights by a vector of non-zero activations and scatter the products to the outputs).
namespace Topiary.Hardware.MemoryReferences;

/// <summary>The outer (weight) loop of the sparse dataflow.</summary>
public enum SparseDataflow
{
    /// <summary>Fine-grained: one non-zero weight W[m,k,r,s] at a time; all its products, then the next weight.</summary>
    Fine,

    /// <summary>
    /// Vector: one kept vector W[m,k,r,:] at a time; for each non-zero activation, the products with the vector's
    /// non-zero weights (s ascending) — adjacent outputs of one output row — then the next activation.
    /// </summary>
    Vector,
}
