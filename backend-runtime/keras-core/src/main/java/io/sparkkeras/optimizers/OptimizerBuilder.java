package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.schedules.LearningRateSchedule;

/** Keras's common optimizer arguments, for every optimizer's builder. */
@SuppressWarnings("unchecked")
public abstract class OptimizerBuilder<B extends OptimizerBuilder<B>> {
    final OptimizerArgs args;
    String name;

    OptimizerBuilder(double defaultLearningRate, String defaultName) {
        this.args = new OptimizerArgs(defaultLearningRate);
        this.name = defaultName;
    }

    /** A fixed learning rate. */
    public B learningRate(double lr) {
        args.learningRate = lr;
        args.schedule = null;
        return (B) this;
    }

    /** A learning rate that follows a schedule. */
    public B learningRate(LearningRateSchedule schedule) {
        args.schedule = schedule;
        return (B) this;
    }

    /** Decoupled weight decay: {@code var -= var * lr * weight_decay}. Defaults to {@code null}. */
    public B weightDecay(double wd) {
        args.weightDecay = wd;
        return (B) this;
    }

    /** Clips each gradient to this L2 norm. Defaults to {@code null}. */
    public B clipnorm(double v) {
        args.clipnorm = v;
        return (B) this;
    }

    /** Clips each gradient element to {@code [-v, v]}. Defaults to {@code null}. */
    public B clipvalue(double v) {
        args.clipvalue = v;
        return (B) this;
    }

    /** Clips all gradients together to this global L2 norm. Defaults to {@code null}. */
    public B globalClipnorm(double v) {
        args.globalClipnorm = v;
        return (B) this;
    }

    public B name(String name) {
        this.name = name;
        return (B) this;
    }
}
