package io.sparkkeras.allreduce;

/**
 * Horovod's tensor fusion: consecutive small arrays are copied into one preallocated fusion buffer, reduced in one
 * ring pass, and copied back. A run is flushed when the next array would overflow the buffer; an array larger than
 * the buffer is reduced in place on its own. The buffer ({@code thresholdBytes}) is allocated on first use and
 * reused. Owned by its communicator.
 */
final class TensorFusion
{
    private final Communicator communicator;
    private final int capacityFloats;
    private float[] buffer;

    TensorFusion(final Communicator communicator, final int thresholdBytes)
    {
        this.communicator = communicator;
        this.capacityFloats = thresholdBytes / 4;
    }

    void allreduce(final float[][] tensors, final ReduceOp op)
    {
        communicator.awaitAsync();
        allreduceNow(tensors, op);
    }

    void allreduceNow(final float[][] tensors, final ReduceOp op)
    {
        int first = 0;
        int used = 0;
        for (int i = 0; i < tensors.length; i++)
        {
            final int length = tensors[i].length;
            if (length > capacityFloats)
            {
                flush(tensors, first, i, used, op);
                communicator.allreduceNow(tensors[i], op);
                first = i + 1;
                used = 0;
                continue;
            }
            if (used + length > capacityFloats)
            {
                flush(tensors, first, i, used, op);
                first = i;
                used = 0;
            }
            used += length;
        }
        flush(tensors, first, tensors.length, used, op);
    }

    private void flush(final float[][] tensors, final int from, final int to, final int usedFloats, final ReduceOp op)
    {
        if (to - from == 1)
        {
            communicator.allreduceNow(tensors[from], op);
            return;
        }
        if (to - from == 0)
        {
            return;
        }
        if (buffer == null)
        {
            buffer = new float[capacityFloats];
        }
        int position = 0;
        for (int i = from; i < to; i++)
        {
            System.arraycopy(tensors[i], 0, buffer, position, tensors[i].length);
            position += tensors[i].length;
        }
        communicator.allreduceFused(buffer, usedFloats, op);
        position = 0;
        for (int i = from; i < to; i++)
        {
            System.arraycopy(buffer, position, tensors[i], 0, tensors[i].length);
            position += tensors[i].length;
        }
    }
}
