// MethodIl: what a test needs to know about a method's IL body — whether it loops (a branch back to an earlier
// instruction) and which methods it calls — read by decoding the instruction stream (ECMA-335 III: a one- or two-byte
// opcode, then an operand whose size the opcode's OperandType gives).
using System.Reflection;
using System.Reflection.Emit;

namespace Topiary.Tests.Tensors;

internal static class MethodIl
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>True when the body branches back to an instruction at or before the branch: a loop.</summary>
    public static bool HasLoop(MethodBase method) => Walk(method).Any(i => i.BranchTarget is int target && target <= i.Offset);

    /// <summary>The methods the body calls (call, callvirt, newobj, ldftn), those whose tokens resolve.</summary>
    public static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var type = method.DeclaringType;
        Type[]? typeArgs = type is { IsGenericType: true } ? type.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var instruction in Walk(method))
        {
            if (instruction.MethodToken is not int token) continue;
            MethodBase? callee;
            try
            {
                callee = method.Module.ResolveMethod(token, typeArgs, methodArgs);
            }
            catch (ArgumentException)
            {
                continue; // a token the generic context cannot resolve
            }
            if (callee is not null) yield return callee;
        }
    }

    /// <summary>Length of the body in bytes of IL (0 without a body).</summary>
    public static int Size(MethodBase method) => method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0;

    private readonly record struct Instruction(int Offset, int? BranchTarget, int? MethodToken);

    private static IEnumerable<Instruction> Walk(MethodBase method)
    {
        byte[] il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (int pc = 0; pc < il.Length;)
        {
            int offset = pc;
            short value = il[pc++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pc++]);
            var op = s_opCodes[value];
            int? target = null, token = null;
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                    pc += 1;
                    target = pc + (sbyte)il[pc - 1];
                    break;
                case OperandType.InlineBrTarget:
                    pc += 4;
                    target = pc + BitConverter.ToInt32(il, pc - 4);
                    break;
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    pc += 1;
                    break;
                case OperandType.InlineVar:
                    pc += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    pc += 8;
                    break;
                case OperandType.InlineSwitch:
                    pc += 4 + 4 * BitConverter.ToInt32(il, pc);
                    break;
                case OperandType.InlineMethod:
                    token = BitConverter.ToInt32(il, pc);
                    pc += 4;
                    break;
                default: // tokens, 32-bit constants, signatures
                    pc += 4;
                    break;
            }
            yield return new Instruction(offset, target, token);
        }
    }
}
