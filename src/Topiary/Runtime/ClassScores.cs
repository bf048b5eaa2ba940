// ClassScores: a classifier's outputs turned into class probabilities and a ranking. Probabilities are softmax(outputs)
// per row (max subtracted, sums in double precision) — unless every row of the outputs is already a probability
// distribution (finite, non-negative, summing to 1 within 1e-4), which is then used as is. softmax of log-probabilities
// (a LogSoftmax output) gives the probabilities back, so both kinds of model output end as probabilities. Ranking:
// descending score, ties by lower class index, NaN last.
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>Class probabilities and top-k rankings from a classifier's outputs.</summary>
public static class ClassScores
{
    /// <summary>Tolerance of the "already probabilities" check on each row's sum.</summary>
    public const double ProbabilitySumTolerance = 1e-4;

    /// <summary>True when every row of <paramref name="outputs"/> <c>[N, C]</c> is finite, non-negative and sums to 1 (within <see cref="ProbabilitySumTolerance"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="outputs"/> is not rank 2.</exception>
    public static bool AreProbabilities(Tensor outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        outputs.CheckRank("outputs", 2);
        int n = outputs.Dim(0), c = outputs.Dim(1);
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            foreach (float v in outputs.Span.Slice(i * c, c))
            {
                if (!(v >= 0) || !float.IsFinite(v)) return false;
                sum += v;
            }
            if (Math.Abs(sum - 1) > ProbabilitySumTolerance) return false;
        }
        return true;
    }

    /// <summary>Class probabilities <c>[N, C]</c>: <paramref name="outputs"/> itself when <see cref="AreProbabilities"/>, else its row-wise softmax.</summary>
    /// <param name="outputs">Model outputs <c>[N, C]</c> (logits, log-probabilities or probabilities).</param>
    /// <param name="alreadyProbabilities">True when the outputs were used as they are.</param>
    /// <exception cref="ArgumentException"><paramref name="outputs"/> is not rank 2.</exception>
    public static Tensor Probabilities(Tensor outputs, out bool alreadyProbabilities)
    {
        alreadyProbabilities = AreProbabilities(outputs);
        return alreadyProbabilities ? outputs.Clone() : Softmax(outputs);
    }

    /// <summary>Row-wise softmax of <paramref name="logits"/> <c>[N, C]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not rank 2.</exception>
    public static Tensor Softmax(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        logits.CheckRank("logits", 2);
        int n = logits.Dim(0), c = logits.Dim(1);
        var result = new Tensor(n, c);
        var exp = new double[c];
        for (int i = 0; i < n; i++)
        {
            var row = logits.Span.Slice(i * c, c);
            float max = float.NegativeInfinity;
            foreach (float v in row) if (v > max) max = v;
            double sum = 0;
            for (int j = 0; j < c; j++) sum += exp[j] = Math.Exp((double)row[j] - max);
            var dest = result.Span.Slice(i * c, c);
            for (int j = 0; j < c; j++) dest[j] = (float)(exp[j] / sum);
        }
        return result;
    }

    /// <summary>The <paramref name="k"/> best classes of one row of scores (fewer when the row is shorter), best first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static (int Class, float Score)[] Top(ReadOnlySpan<float> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var copy = scores.ToArray();
        Array.Sort(order, (a, b) =>
        {
            float x = copy[a], y = copy[b];
            bool xn = float.IsNaN(x), yn = float.IsNaN(y);
            if (xn != yn) return xn ? 1 : -1;
            int byScore = xn ? 0 : y.CompareTo(x);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return order.Take(k).Select(i => (i, copy[i])).ToArray();
    }
}
