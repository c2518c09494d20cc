/**
 * The Keras backend over DJL's PyTorch engine: eager execution, one class per Keras backend module
 * ({@link io.sparkkeras.backend.torch.TorchCore}, {@link io.sparkkeras.backend.torch.TorchNumpy},
 * {@link io.sparkkeras.backend.torch.TorchNn}, {@link io.sparkkeras.backend.torch.TorchRandom}).
 *
 * <p>Decisions specific to this engine:
 * <ul>
 *   <li><b>Memory.</b> Every tensor belongs to a DJL {@code NDManager}. Variables live in one long-lived manager of
 *   the backend; each {@link io.sparkkeras.backend.Scope} (one per training step) is a sub-manager that frees every
 *   intermediate when it closes. An op whose first operand is a variable would land in the variables' manager, so
 *   results are re-attached to the current scope ({@link io.sparkkeras.backend.torch.TorchTensor#of}).</li>
 *   <li><b>Grad mode.</b> libtorch keeps grad mode per thread and starts it enabled on a new thread; in-place
 *   updates of leaves that require grad then fail. Every scope turns it off on its thread; only
 *   {@code valueAndGrad} turns it on, for the forward and backward pass.</li>
 *   <li><b>Gradients.</b> Through libtorch's autograd ({@code JniUtils.backward}), zeroing each parameter's
 *   gradient first. DJL's {@code GradientCollector} allows one collector per JVM at a time, which would serialise
 *   two data-parallel workers sharing a JVM (Spark local mode), so it is not used.</li>
 *   <li><b>Layout.</b> Keras is channels_last; torch convolution and pooling are channels_first. {@link
 *   io.sparkkeras.backend.torch.TorchNn} transposes at the op boundary, as Keras's torch backend does, and pads
 *   explicitly where TensorFlow's "same" rule puts the odd pixel on one side.</li>
 *   <li><b>Convolution check.</b> On some machines libtorch's batched convolution (oneDNN) returns a wrong input
 *   gradient without any error (seen on an AMD EPYC VM whose CPUID reports no cache sizes). The first convolution
 *   of a JVM compares a batch of two with the same samples one at a time; where they differ, convolutions that
 *   take gradients are composed of strided slices and a matmul
 *   ({@link io.sparkkeras.backend.torch.TorchConvolution}) while predict keeps libtorch's forward pass where that
 *   was right, and a warning says so once. {@code -Dsparkkeras.torch.convolution=libtorch|composed} skips the
 *   check (executors: {@code --conf spark.keras.torch.convolution=...}).</li>
 *   <li><b>Threads.</b> libtorch's pools are sized by {@code -Dai.djl.pytorch.num_threads} and
 *   {@code -Dai.djl.pytorch.num_interop_threads}; natives load offline from the {@code pytorch-native-cpu} jar
 *   ({@code -Dai.djl.offline=true}).</li>
 *   <li><b>Random.</b> Initial weights come from keras-core's seeded host generator, so both backends start
 *   from the same numbers; dropout masks come from torch's own generator, seeded by
 *   {@code RandomSeeds.setRandomSeed}.</li>
 * </ul>
 */
package io.sparkkeras.backend.torch;
