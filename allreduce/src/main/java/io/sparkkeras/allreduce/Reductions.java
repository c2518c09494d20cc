package io.sparkkeras.allreduce;

import org.agrona.UnsafeApi;

/**
 * The element loops of a reduction: {@code dst[i] = op(dst[i], in[i])}, and for the last reduce-scatter step of
 * {@link ReduceOp#AVERAGE} {@code dst[i] = (dst[i] + in[i]) / n}. Plain indexed loops over arrays, which C2
 * vectorizes.
 */
final class Reductions
{
    private Reductions()
    {
    }

    static void apply(final ReduceOp op, final boolean average, final int ranks,
        final float[] dst, final int dstIndex, final float[] in, final int length)
    {
        if (op == ReduceOp.MAX)
        {
            for (int i = 0; i < length; i++)
            {
                dst[dstIndex + i] = Math.max(dst[dstIndex + i], in[i]);
            }
        }
        else if (average)
        {
            final float n = ranks;
            for (int i = 0; i < length; i++)
            {
                dst[dstIndex + i] = (dst[dstIndex + i] + in[i]) / n;
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                dst[dstIndex + i] = dst[dstIndex + i] + in[i];
            }
        }
    }

    static void apply(final ReduceOp op, final boolean average, final int ranks,
        final long dstAddress, final float[] in, final int length)
    {
        final float n = ranks;
        for (int i = 0; i < length; i++)
        {
            final long address = dstAddress + i * 4L;
            final float a = UnsafeApi.getFloat(address);
            final float r;
            if (op == ReduceOp.MAX)
            {
                r = Math.max(a, in[i]);
            }
            else if (average)
            {
                r = (a + in[i]) / n;
            }
            else
            {
                r = a + in[i];
            }
            UnsafeApi.putFloat(address, r);
        }
    }

    /**
     * {@code out[i] = op(a[i], b[i])}, and {@code (a[i] + b[i]) / ranks} for the last step of {@link ReduceOp#AVERAGE};
     * the operands keep their order so every rank evaluates the same expression. {@code out} may be {@code a} or
     * {@code b} at the same index.
     */
    static void combine(final ReduceOp op, final boolean average, final int ranks, final float[] a, final int aIndex,
        final float[] b, final int bIndex, final float[] out, final int outIndex, final int length)
    {
        if (op == ReduceOp.MAX)
        {
            for (int i = 0; i < length; i++)
            {
                out[outIndex + i] = Math.max(a[aIndex + i], b[bIndex + i]);
            }
        }
        else if (average)
        {
            final float n = ranks;
            for (int i = 0; i < length; i++)
            {
                out[outIndex + i] = (a[aIndex + i] + b[bIndex + i]) / n;
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                out[outIndex + i] = a[aIndex + i] + b[bIndex + i];
            }
        }
    }
}
