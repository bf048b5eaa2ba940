// System.Numerics.Tensors also defines a `Tensor` type; import only TensorPrimitives from it so that
// `Tensor` always means Topiary.Tensors.Tensor. Do not add `using System.Numerics.Tensors;` in this project.
global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
