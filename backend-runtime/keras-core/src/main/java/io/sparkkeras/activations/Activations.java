package io.sparkkeras.activations;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Keras's activation functions by id, with Keras's defaults: {@code leaky_relu} slope 0.2, {@code elu} alpha 1.0,
 * exact (erf) {@code gelu}, {@code softmax} over the last axis.
 *
 * <pre>{@code
 * ActivationFunction relu = Activations.get("relu");
 * Tensor y = relu.apply(x);
 * }</pre>
 */
public final class Activations {
    private static final Map<String, ActivationFunction> BY_NAME = new LinkedHashMap<>();

    static {
        register("linear", x -> x);
        register("relu", Nn::relu);
        register("relu6", Nn::relu6);
        register("sigmoid", Nn::sigmoid);
        register("tanh", Ops::tanh);
        register("softmax", x -> Nn.softmax(x, -1));
        register("log_softmax", x -> Nn.logSoftmax(x, -1));
        register("gelu", x -> Nn.gelu(x, false));
        register("silu", Nn::silu);
        register("swish", Nn::silu);
        register("leaky_relu", x -> Nn.leakyRelu(x, 0.2));
        register("elu", x -> Nn.elu(x, 1.0));
        register("selu", Nn::selu);
        register("softplus", Nn::softplus);
        register("softsign", Nn::softsign);
        register("hard_sigmoid", Nn::hardSigmoid);
        register("exponential", Ops::exp);
        register("mish", x -> Ops.multiply(x, Ops.tanh(Nn.softplus(x))));
    }

    private Activations() {
    }

    private static void register(String name, UnaryOperator<Tensor> f) {
        BY_NAME.put(name, new Named(name, f));
    }

    /**
     * The activation with Keras id {@code name}; {@code null} means {@code "linear"}.
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static ActivationFunction get(String name) {
        if (name == null) {
            return BY_NAME.get("linear");
        }
        ActivationFunction f = BY_NAME.get(name);
        if (f == null) {
            throw new IllegalArgumentException("Received an invalid value for `activation`, expected one of "
                    + BY_NAME.keySet() + ". Received: activation=" + name);
        }
        return f;
    }

    private record Named(String name, UnaryOperator<Tensor> f) implements ActivationFunction {
        @Override
        public Tensor apply(Tensor x) {
            return f.apply(x);
        }
    }
}
