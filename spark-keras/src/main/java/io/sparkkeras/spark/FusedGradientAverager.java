package io.sparkkeras.spark;

import io.sparkkeras.allreduce.Communicator;
import io.sparkkeras.allreduce.ReduceOp;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.trainers.GradientReducer;
import io.sparkkeras.utils.NdArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Averages each step's gradients across the ranks of a {@link Communicator}: Horovod's tensor fusion. All gradients
 * are packed into one preallocated direct buffer, reduced with one ring allreduce ({@code AVERAGE}), and handed back
 * to the optimizer as tensors made from views of that buffer.
 *
 * <p>The buffer and its per-gradient views are created on the first step (from the gradients' shapes) and reused.
 * Owned by the training thread; counts the time spent in the allreduce (including waiting for slower ranks).
 */
final class FusedGradientAverager implements GradientReducer {
    private final Communicator comm;
    private ByteBuffer fusion;
    private FloatBuffer fusionFloats;
    private ByteBuffer[] slices;
    private NdArray[] views;
    private long allreduceNs;
    private long steps;

    FusedGradientAverager(Communicator comm) {
        this.comm = comm;
    }

    @Override
    public List<Tensor> reduce(List<Tensor> gradients) {
        int n = gradients.size();
        if (fusion == null) {
            allocate(gradients);
        }
        for (int i = 0; i < n; i++) {
            ByteBuffer dst = slices[i];
            dst.clear();
            gradients.get(i).copyTo(dst);
        }
        long t0 = System.nanoTime();
        fusionFloats.clear();
        comm.allreduce(fusionFloats, ReduceOp.AVERAGE);
        allreduceNs += System.nanoTime() - t0;
        steps++;
        List<Tensor> reduced = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reduced.add(Ops.convertToTensor(views[i]));
        }
        return reduced;
    }

    private void allocate(List<Tensor> gradients) {
        int n = gradients.size();
        long total = 0;
        for (Tensor g : gradients) {
            if (g.dtype() != DType.FLOAT32) {
                throw new IllegalStateException("Gradient averaging supports float32 gradients; received "
                        + g.dtype() + " of shape " + g.shape());
            }
            total += g.shape().size();
        }
        fusion = ByteBuffer.allocateDirect(Math.toIntExact(total * 4)).order(ByteOrder.nativeOrder());
        fusionFloats = fusion.asFloatBuffer();
        slices = new ByteBuffer[n];
        views = new NdArray[n];
        int offset = 0;
        for (int i = 0; i < n; i++) {
            Tensor g = gradients.get(i);
            int bytes = Math.toIntExact(g.shape().size() * 4);
            slices[i] = fusion.slice(offset, bytes).order(ByteOrder.nativeOrder());
            views[i] = NdArray.wrap(slices[i].duplicate().order(ByteOrder.nativeOrder()), DType.FLOAT32, g.shape());
            offset += bytes;
        }
    }

    /** Nanoseconds spent in allreduce calls so far. */
    long allreduceNs() {
        return allreduceNs;
    }

    /** Steps reduced so far. */
    long steps() {
        return steps;
    }

    /** Floats reduced per step (0 before the first step). */
    long fusedFloats() {
        return fusionFloats == null ? 0 : fusionFloats.capacity();
    }
}
