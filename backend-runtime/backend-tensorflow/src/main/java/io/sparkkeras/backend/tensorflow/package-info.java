/**
 * The Keras backend over TensorFlow Java 1.1.0 (TensorFlow 2.18): graph execution, one class per Keras backend
 * module ({@link io.sparkkeras.backend.tensorflow.TfCore}, {@link io.sparkkeras.backend.tensorflow.TfNumpy},
 * {@link io.sparkkeras.backend.tensorflow.TfNn}, {@link io.sparkkeras.backend.tensorflow.TfRandom},
 * {@link io.sparkkeras.backend.tensorflow.TfTrainer}), registered as {@code "tensorflow"}.
 *
 * <p>Decisions specific to this engine:
 * <ul>
 *   <li><b>Graph, traced per signature.</b> {@code CoreOps.compile} returns a step that traces its function into the
 *   backend's one {@code Graph} the first time it sees an input signature (shapes and dtypes; the smaller last batch
 *   of an epoch is a second trace) and then runs it with one {@code Session.run} per batch: feed the placeholders,
 *   fetch the outputs, run one {@code NoOp} that depends on every update. Shapes are static inside a trace, so
 *   layers may read {@code x.shape()} (the trainer uses the batch size as the metric weight). A compiled step
 *   called inside another trace is inlined.</li>
 *   <li><b>Variables.</b> Resource variables: {@code VarHandleOp} with a shared name unique to each variable (with
 *   a repeated name all handles are one variable), living in the backend's one {@code Session}. In a trace a variable
 *   is read once ({@code ReadVariableOp}) and the read reused, so {@code Graph.addGradients} differentiates against
 *   the output the forward pass used. Updates ({@code Assign*VariableOp}) carry control dependencies on every
 *   earlier read and update of the same variable in the trace and, once {@code valueAndGrad} has run, on all the
 *   gradients and the loss: without them updates race the backward pass (non-deterministic results, often NaN). A
 *   read after an update is a new op ordered after it ({@link io.sparkkeras.backend.tensorflow.TfTrace}).</li>
 *   <li><b>Outside a trace.</b> Op calls (data checks, metric results, tests calling {@code Ops} in a
 *   {@code Scope}) run eagerly on the backend's {@code EagerSession}; a variable read outside a trace runs the
 *   session and returns a host tensor; an assignment feeds a prebuilt {@code AssignVariableOp}. A variable's first
 *   assignment and its destruction wait for the next session run and run with the others' (one new executor per
 *   batch rather than per variable: {@link io.sparkkeras.backend.tensorflow.TfPending}). A graph only grows, and
 *   each new executor copies all of it: once every variable of the graph is closed the backend starts a fresh graph
 *   and session ({@link io.sparkkeras.backend.tensorflow.TfGraph}), and once it holds many more closed variables
 *   than live ones, the live ones move to a fresh graph ({@link io.sparkkeras.backend.tensorflow.TfCompaction}).
 *   Eager TensorFlow
 *   has no gradients, so {@code valueAndGrad} outside a trace traces the function on its own and runs it once (its
 *   ops stay in the graph: loops should use {@code compile}). Host tensors used by a trace (a cached eager constant,
 *   a batch captured by a closure) become graph constants, once per trace; a symbolic tensor used outside its trace
 *   fails with a message saying so.</li>
 *   <li><b>Memory.</b> Host tensors (converted batches, fetched outputs, variable reads) belong to the current
 *   {@link io.sparkkeras.backend.Scope} and are closed with it; eager op outputs are released by the eager session
 *   when they become unreachable; graph ops live as long as the backend. Host copies go through a per-thread
 *   {@code byte[]} (TensorFlow's raw buffers copy about 10x faster from arrays than from NIO buffers).</li>
 *   <li><b>Gradients.</b> {@code Graph.addGradients} uses TensorFlow's C++ gradient registry, which differs from
 *   Python's: {@code SparseSoftmaxCrossEntropyWithLogits} and {@code Round} have none, so
 *   {@link io.sparkkeras.backend.tensorflow.TfGradients} registers them with
 *   {@code TensorFlow.registerCustomGradient} (the fused crossentropy's gradient is its second output); the Conv2D
 *   gradient ignores {@code dilations}, so dilated convolutions run with an explicitly dilated kernel; the Slice and
 *   Pad gradients build int32 shapes, so their bounds are int32. {@code Conv3D} has no C++ gradient: 3-D
 *   convolutions run forward only. A variable the loss does not depend on gets a zero gradient. A custom gradient
 *   runs with the whole {@code Graph} switched to builders that skip its lock, so traces are built one at a time
 *   ({@code TfBackend.building}): an op another thread added meanwhile broke the gradient.</li>
 *   <li><b>Threads.</b> The session and the eager context share one {@code ConfigProto}:
 *   {@code -Dsparkkeras.tensorflow.intra_op_threads} and {@code -Dsparkkeras.tensorflow.inter_op_threads}, both
 *   defaulting to the number of cores; tests pin one of each. Read once, when the backend is first selected.</li>
 *   <li><b>XLA.</b> {@code jitCompile} marks every op of the traced steps with {@code _XlaCompile}/{@code _XlaScope}
 *   (TensorFlow's manual jit scope); see the README for what it gives with this native build.</li>
 *   <li><b>Random.</b> Initial weights come from keras-core's seeded host generator, so both backends start from the
 *   same numbers. Dropout masks come from TensorFlow's stateful {@code RandomUniform} (a new mask each run of a
 *   traced step), so they differ from torch's masks by design.</li>
 *   <li><b>Fused optimizers.</b> {@link io.sparkkeras.backend.tensorflow.TfOptimizerKernels}: Adam (without
 *   amsgrad) and SGD trace one {@code ResourceApply*} op per variable (Keras's exact update, the step's learning
 *   rate and beta powers computed in the graph) instead of a dozen element-wise ops. The op updates the weight and
 *   its slots in place, ordered by {@code TfTrace} like any other update of each of them.</li>
 *   <li><b>Predict.</b> {@code predict} runs a traced predict step per batch (Keras's {@code predict_function});
 *   {@code predictOnBatch} runs the forward pass eagerly.</li>
 *   <li><b>Data-parallel.</b> A gradient reducer leaves the graph (the Aeron allreduce copies gradients to the
 *   host), so with one the trainer runs the step as two traced halves: loss, gradients and metrics, fetched; the
 *   reducer on the host; then the optimizer on the reduced gradients, fed.</li>
 *   <li><b>Natives</b> load from the {@code tensorflow-core-native} jar ({@code linux-x86_64}), unpacked once to
 *   {@code ~/.javacpp/cache}.</li>
 * </ul>
 */
package io.sparkkeras.backend.tensorflow;
