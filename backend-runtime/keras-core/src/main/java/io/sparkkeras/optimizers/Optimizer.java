package io.sparkkeras.optimizers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.schedules.LearningRateSchedule;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every optimizer, as Keras's {@code keras.optimizers.Optimizer}. A subclass creates its slots in
 * {@link #build(List)} with {@link #addVariableFromReference} and does its math in
 * {@link #updateStep(Tensor, Variable, Tensor)}; this class handles the learning rate (a number or a
 * {@link LearningRateSchedule}), gradient clipping ({@code clipnorm}, {@code clipvalue}, {@code global_clipnorm}),
 * decoupled weight decay ({@code weight_decay}) and the {@code iterations} counter.
 *
 * <p>Common arguments (each Defaults to {@code null}, off): {@code weightDecay}, {@code clipnorm},
 * {@code clipvalue}, {@code globalClipnorm}; at most one of the three clipping arguments may be set.
 *
 * <p>Owns its slot variables, freed by {@link #close()}. Used on the training thread only.
 */
public abstract class Optimizer implements AutoCloseable {
    private final String name;
    private final double learningRate;
    private final LearningRateSchedule schedule;
    private final Double weightDecay;
    private final Double clipnorm;
    private final Double clipvalue;
    private final Double globalClipnorm;
    private final List<Variable> slots = new ArrayList<>();
    private final Map<Variable, Integer> index = new IdentityHashMap<>();
    private Variable iterations;
    private Variable learningRateVariable;
    private boolean built;
    /** Host copies of the step count and fixed rate, kept in step with the variables, for fused kernels. */
    private long hostIterations;
    private double hostLearningRate;

    protected Optimizer(String name, OptimizerArgs args) {
        this.name = name;
        this.learningRate = args.learningRate;
        this.schedule = args.schedule;
        if (schedule == null && !(learningRate > 0)) {
            throw new IllegalArgumentException("Received an invalid value for `learning_rate`, expected a positive "
                    + "number or a LearningRateSchedule. Received: learning_rate=" + learningRate);
        }
        int clips = (args.clipnorm != null ? 1 : 0) + (args.clipvalue != null ? 1 : 0)
                + (args.globalClipnorm != null ? 1 : 0);
        if (clips > 1) {
            throw new IllegalArgumentException("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                    + "Received: clipnorm=" + args.clipnorm + ", clipvalue=" + args.clipvalue + ", global_clipnorm="
                    + args.globalClipnorm);
        }
        this.hostLearningRate = args.learningRate;
        this.weightDecay = args.weightDecay;
        this.clipnorm = args.clipnorm;
        this.clipvalue = args.clipvalue;
        this.globalClipnorm = args.globalClipnorm;
    }

    public final String name() {
        return name;
    }

    public String className() {
        return getClass().getSimpleName();
    }

    /** The schedule, or {@code null} for a fixed rate. */
    public final LearningRateSchedule schedule() {
        return schedule;
    }

    /** Steps applied so far. */
    public final long iterations() {
        return iterations == null ? 0 : (long) iterations.numpy().getDouble(0);
    }

    /** The learning rate the next step uses, on the host. */
    public final double currentLearningRate() {
        if (schedule != null) {
            return schedule.valueAt(iterations());
        }
        return learningRateVariable == null ? learningRate : learningRateVariable.numpy().getDouble(0);
    }

    /** Sets a fixed learning rate (callbacks such as ReduceLROnPlateau); not allowed with a schedule. */
    public final void setLearningRate(double lr) {
        if (schedule != null) {
            throw new IllegalStateException("This optimizer uses a LearningRateSchedule: its learning rate cannot be "
                    + "set. Received: learning_rate=" + lr);
        }
        ensureCounters();
        learningRateVariable.assign(NdArray.of(new float[] {(float) lr}).reshape());
        hostLearningRate = lr;
    }

    /** Steps applied so far, counted on the host (for fused kernels, which take host numbers). */
    protected final long hostIterations() {
        return hostIterations;
    }

    /** The learning rate of the current step, on the host. */
    protected final double hostLearningRate() {
        return schedule != null ? schedule.valueAt(hostIterations) : hostLearningRate;
    }

    /** Resynchronises the host counters after the variables were restored (loading a saved optimizer). */
    protected final void syncHostState() {
        hostIterations = iterations == null ? 0 : (long) iterations.numpy().getDouble(0);
        if (schedule == null && learningRateVariable != null) {
            hostLearningRate = learningRateVariable.numpy().getDouble(0);
        }
    }

    private void ensureCounters() {
        if (iterations == null) {
            // int64 as Keras's: a float32 counter stops counting at 2^24 steps, freezing schedules on long runs.
            iterations = new Variable(name + "/iteration", Shape.scalar(), DType.INT64, Initializers.get("zeros"),
                    false);
            learningRateVariable = new Variable(name + "/learning_rate", Shape.scalar(), DType.FLOAT32,
                    Initializers.constant(schedule == null ? learningRate : 0), false);
        }
    }

    /**
     * Creates the slots for {@code variables} now, as Keras's {@code optimizer.build(var_list)}; does nothing once
     * built. Loading a saved optimizer builds it this way before assigning its state.
     */
    public final void buildFor(List<Variable> variables) {
        if (!built) {
            build(variables);
            built = true;
        }
    }

    public final boolean isBuilt() {
        return built;
    }

    /**
     * Restores the step count and, for a fixed rate, the learning rate saved with the optimizer, then resynchronises
     * the host counters. Slots are restored by assigning {@link #variables()} directly. {@code iterations} is int64,
     * as Keras's.
     *
     * @param learningRate the saved rate, or {@code null} to keep the current one (and always with a schedule)
     */
    public final void restoreCounters(long iterations, Double learningRate) {
        ensureCounters();
        this.iterations.assign(NdArray.of(new long[] {iterations}).reshape());
        if (learningRate != null && schedule == null) {
            learningRateVariable.assign(NdArray.of(new float[] {learningRate.floatValue()}).reshape());
        }
        syncHostState();
    }

    /** Creates slots for {@code variables}; subclasses call super first. */
    protected void build(List<Variable> variables) {
        ensureCounters();
        for (int i = 0; i < variables.size(); i++) {
            index.put(variables.get(i), i);
        }
    }

    /** Position of {@code v} in the built variable list (to find its slots). */
    protected final int indexOf(Variable v) {
        Integer i = index.get(v);
        if (i == null) {
            throw new IllegalArgumentException("Variable '" + v.path() + "' was not part of this optimizer's build");
        }
        return i;
    }

    /** A zero slot shaped like {@code reference}, named {@code "<optimizer>/<var_path>_<slot>"} as Keras. */
    protected final Variable addVariableFromReference(Variable reference, String slotName) {
        return addVariableFromReference(reference, slotName, 0.0);
    }

    protected final Variable addVariableFromReference(Variable reference, String slotName, double initial) {
        Variable v = new Variable(name + "/" + reference.path().replace('/', '_') + "_" + slotName, reference.shape(),
                reference.dtype(), Initializers.constant(initial), false);
        slots.add(v);
        return v;
    }

    /** All optimizer state in Keras's save order: {@code iterations}, then the slots in creation order. */
    public final List<Variable> variables() {
        List<Variable> r = new ArrayList<>();
        if (iterations != null) {
            r.add(iterations);
        }
        r.addAll(slots);
        return r;
    }

    /** Updates one variable from its gradient. */
    protected abstract void updateStep(Tensor gradient, Variable variable, Tensor learningRate);

    /**
     * Applies one step: clip, decay, update every variable, count the step.
     *
     * @param gradients one per variable, same order
     */
    public final void apply(List<Tensor> gradients, List<Variable> variables) {
        buildFor(variables);
        // Schedules take the step as float32, as Keras's cast it.
        Tensor lr = schedule != null ? schedule.apply(Ops.cast(iterations.value(), DType.FLOAT32))
                : learningRateVariable.value();
        List<Tensor> grads = clip(gradients);
        for (int i = 0; i < variables.size(); i++) {
            Variable v = variables.get(i);
            if (weightDecay != null && weightDecay > 0) {
                v.assignSub(Ops.multiply(Ops.multiply(v.value(), lr), weightDecay));
            }
            updateStep(grads.get(i), v, lr);
        }
        iterations.assignAdd(Ops.scalar(1, DType.INT64));
        hostIterations++;
    }

    private List<Tensor> clip(List<Tensor> grads) {
        if (clipvalue != null) {
            List<Tensor> r = new ArrayList<>(grads.size());
            for (Tensor g : grads) {
                r.add(Ops.clip(g, -clipvalue, clipvalue));
            }
            return r;
        }
        if (clipnorm != null) {
            List<Tensor> r = new ArrayList<>(grads.size());
            for (Tensor g : grads) {
                r.add(clipByNorm(g, Ops.sqrt(Ops.sum(Ops.square(g))), clipnorm));
            }
            return r;
        }
        if (globalClipnorm != null) {
            Tensor sq = null;
            for (Tensor g : grads) {
                Tensor s = Ops.sum(Ops.square(g));
                sq = sq == null ? s : Ops.add(sq, s);
            }
            Tensor norm = Ops.sqrt(sq);
            List<Tensor> r = new ArrayList<>(grads.size());
            for (Tensor g : grads) {
                r.add(clipByNorm(g, norm, globalClipnorm));
            }
            return r;
        }
        return grads;
    }

    private static Tensor clipByNorm(Tensor g, Tensor norm, double max) {
        // g * max / max(norm, max): unchanged when the norm is within bounds.
        return Ops.divide(Ops.multiply(g, max), Ops.maximum(norm, max));
    }

    /** The learning rate (a number or a serialized schedule) and the common arguments, Keras-named. */
    public Map<String, Object> getConfig() {
        return Configs.of(
                "name", name,
                "learning_rate", schedule != null ? schedule.serialize() : currentLearningRate(),
                "weight_decay", weightDecay,
                "clipnorm", clipnorm,
                "global_clipnorm", globalClipnorm,
                "clipvalue", clipvalue,
                "use_ema", false,
                "ema_momentum", 0.99,
                "ema_overwrite_frequency", null,
                "loss_scale_factor", null,
                "gradient_accumulation_steps", null);
    }

    @Override
    public void close() {
        for (Variable v : slots) {
            v.close();
        }
        if (iterations != null) {
            iterations.close();
            learningRateVariable.close();
        }
    }
}
