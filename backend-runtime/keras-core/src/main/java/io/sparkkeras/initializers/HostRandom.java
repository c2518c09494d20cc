package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** Seeded draws into host arrays, shared by the random initializers. */
final class HostRandom {
    private HostRandom() {
    }

    /** A generator for one call: from {@code seed} if given, else from the global seed. */
    static SplittableRandom generator(Long seed) {
        return new SplittableRandom(seed != null ? seed : RandomSeeds.nextSeed());
    }

    static NdArray uniform(Shape shape, DType dtype, double min, double max, Long seed) {
        SplittableRandom r = generator(seed);
        NdArray out = NdArray.zeros(dtype, shape);
        ByteBuffer b = out.buffer();
        long n = shape.size();
        for (long i = 0; i < n; i++) {
            put(b, dtype, min + (max - min) * r.nextDouble());
        }
        return out;
    }

    static NdArray normal(Shape shape, DType dtype, double mean, double stddev, boolean truncated, Long seed) {
        SplittableRandom r = generator(seed);
        NdArray out = NdArray.zeros(dtype, shape);
        ByteBuffer b = out.buffer();
        long n = shape.size();
        for (long i = 0; i < n; i++) {
            double z = gaussian(r);
            // Keras's truncated normal redraws values more than two standard deviations from the mean.
            while (truncated && Math.abs(z) > 2) {
                z = gaussian(r);
            }
            put(b, dtype, mean + stddev * z);
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; one value per call keeps the stream simple and reproducible.
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static void put(ByteBuffer b, DType dtype, double v) {
        switch (dtype) {
            case FLOAT32 -> b.putFloat((float) v);
            case FLOAT64 -> b.putDouble(v);
            case INT32 -> b.putInt((int) v);
            case INT64 -> b.putLong((long) v);
            default -> throw new IllegalArgumentException("Cannot initialise a variable of dtype " + dtype);
        }
    }

    /** Keras's {@code compute_fans}: fan-in and fan-out of a kernel shape. */
    static double[] fans(Shape shape) {
        int rank = shape.rank();
        if (rank == 0) {
            return new double[] {1, 1};
        }
        if (rank == 1) {
            return new double[] {shape.get(0), shape.get(0)};
        }
        if (rank == 2) {
            return new double[] {shape.get(0), shape.get(1)};
        }
        double receptive = 1;
        for (int i = 0; i < rank - 2; i++) {
            receptive *= shape.get(i);
        }
        return new double[] {shape.get(-2) * receptive, shape.get(-1) * receptive};
    }
}
