package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.schedules.LearningRateSchedule;

/** The arguments every optimizer shares; filled by each optimizer's builder. */
public final class OptimizerArgs {
    double learningRate;
    LearningRateSchedule schedule;
    Double weightDecay;
    Double clipnorm;
    Double clipvalue;
    Double globalClipnorm;

    OptimizerArgs(double learningRate) {
        this.learningRate = learningRate;
    }
}
