package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.schedules.LearningRateSchedule;

import java.util.Map;

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

    /**
     * Reads the common Keras keys of an optimizer config ({@code name}, {@code learning_rate} as a number or a
     * serialized schedule, {@code weight_decay}, {@code clipnorm}, {@code clipvalue}, {@code global_clipnorm}).
     */
    B commonConfig(Map<String, Object> c) {
        if (c.get("name") != null) {
            name(c.get("name").toString());
        }
        Object lr = c.get("learning_rate");
        if (lr instanceof Number n) {
            learningRate(n.doubleValue());
        } else if (lr instanceof Map<?, ?> m) {
            learningRate(LearningRateSchedule.deserialize((Map<String, Object>) m));
        } else if (lr != null) {
            throw new IllegalArgumentException("Received an invalid value for `learning_rate`, expected a number or "
                    + "a serialized LearningRateSchedule. Received: learning_rate=" + lr);
        }
        args.weightDecay = doubleOrNull(c, "weight_decay");
        args.clipnorm = doubleOrNull(c, "clipnorm");
        args.clipvalue = doubleOrNull(c, "clipvalue");
        args.globalClipnorm = doubleOrNull(c, "global_clipnorm");
        return (B) this;
    }

    static Double doubleOrNull(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("Config key `" + key + "` must be a number or null. Received: " + key
                    + "=" + v);
        }
        return n.doubleValue();
    }

    static double doubleOr(Map<String, Object> c, String key, double dflt) {
        Double v = doubleOrNull(c, key);
        return v == null ? dflt : v;
    }

    static boolean booleanOr(Map<String, Object> c, String key, boolean dflt) {
        Object v = c.get(key);
        return v == null ? dflt : (Boolean) v;
    }
}
