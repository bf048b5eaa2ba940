// DropoutRateChange: one Dropout whose rate DropoutRule.Apply changed, with the Linear it follows.
namespace Topiary.Pruning.Structure;

/// <summary>A dropout rate set by <see cref="DropoutRule.Apply"/>.</summary>
/// <param name="Dropout">Dotted name of the Dropout module.</param>
/// <param name="Layer">Dotted name of the pruned Linear whose outputs it drops.</param>
/// <param name="KeptFraction">C_ir / C_io of that Linear.</param>
/// <param name="OriginalRate">D_o used in the rule.</param>
/// <param name="NewRate">D_r = D_o·√(C_ir / C_io), now the Dropout's P.</param>
public sealed record DropoutRateChange(string Dropout, string Layer, double KeptFraction, double OriginalRate, double NewRate);
