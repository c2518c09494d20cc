package io.sparkkeras.parity;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.optimizers.Adagrad;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.AdamW;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.RMSprop;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.optimizers.schedules.ExponentialDecay;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.sparkkeras.parity.Parity.RTOL;
import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.assertAllClose;
import static io.sparkkeras.parity.Parity.on;
import static io.sparkkeras.parity.Parity.random;

/**
 * Every optimizer: three steps from the same weights with the same gradients give the same weights after each step.
 * On torch Adam runs its fused kernel; on tensorflow Adam (without amsgrad) and SGD trace TensorFlow's fused
 * {@code ResourceApply*} ops and the rest the generic Ops math.
 */
@Tag("tensorflow")
@Tag("torch")
class OptimizerParityTest {
    private static final int STEPS = 3;

    private static List<NdArray> steps(String backend, Supplier<Optimizer> make) {
        return on(backend, () -> {
            Optimizer opt = make.get();
            Variable w = new Variable("dense/kernel", random(1, 5, 3), true);
            Variable bias = new Variable("dense/bias", random(2, 3), true);
            List<Variable> vars = List.of(w, bias);
            StepFunction f = Backends.current().core().compile("optimizer_parity", in -> {
                opt.apply(in, vars);
                return List.of();
            }, false);
            List<NdArray> after = new ArrayList<>();
            for (int s = 0; s < STEPS; s++) {
                Parity.run(f, List.of(random(10 + s, 5, 3), random(20 + s, 3)));
                after.add(w.numpy());
                after.add(bias.numpy());
            }
            opt.close();
            w.close();
            bias.close();
            return after;
        });
    }

    private static void check(String what, Supplier<Optimizer> make) {
        assertAllClose(what, steps(TORCH, make), steps(TF, make), RTOL);
    }

    @Test
    void sgd() {
        check("SGD", () -> new SGD(0.1));
        check("SGD momentum", () -> SGD.builder().learningRate(0.1).momentum(0.9).build());
        check("SGD momentum nesterov", () -> SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build());
    }

    @Test
    void adam() {
        check("Adam", () -> new Adam(0.01));
        check("Adam amsgrad", () -> Adam.builder().learningRate(0.01).amsgrad(true).build());
        check("AdamW", () -> AdamW.builder().learningRate(0.01).weightDecay(0.1).build());
        check("Adam schedule + clipnorm", () -> Adam.builder().learningRate(new ExponentialDecay(0.01, 1, 0.5))
                .clipnorm(0.5).build());
    }

    @Test
    void rmspropAndAdagrad() {
        check("RMSprop", () -> new RMSprop(0.01));
        check("RMSprop momentum centered", () -> RMSprop.builder().learningRate(0.01).momentum(0.9).centered(true)
                .build());
        check("Adagrad", () -> new Adagrad(0.1));
        check("SGD global_clipnorm", () -> SGD.builder().learningRate(0.1).globalClipnorm(1.0).build());
    }
}
