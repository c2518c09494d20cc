package io.sparkkeras.backend.torch;

import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;

/**
 * libtorch's fused optimizer updates, through DJL: one native call per variable instead of a dozen ops with their
 * temporaries. The math is Keras's (see {@link OptimizerKernels#adam}).
 */
final class TorchOptimizerKernels implements OptimizerKernels {

    @Override
    public boolean adam(Tensor gradient, Variable variable, Variable m, Variable v, double alpha, double beta1,
            double beta2, double epsilon) {
        // DJL's kernel: w -= m * lr_bias_correction / (sqrt(v) + eps), after the two moment updates. The plain
        // learning rate and weight decay are only used for AdamW there, so pass 0; clip < 0 means no clipping.
        JniUtils.adamUpdate((PtNDArray) Torch.nd(variable.value()), (PtNDArray) Torch.nd(gradient),
                (PtNDArray) Torch.nd(m.value()), (PtNDArray) Torch.nd(v.value()), 0f, (float) alpha, 0f, 1f, -1f,
                (float) beta1, (float) beta2, (float) epsilon, false);
        return true;
    }
}
