package io.sparkkeras.allreduce;

import org.agrona.IoUtil;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs N ranks as threads of this JVM, each with its own embedded driver, for tests. */
final class RankGroup
{
    interface Body
    {
        void run(Communicator comm) throws Exception;
    }

    static final byte[] SECRET = "test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private RankGroup()
    {
    }

    static File newBaseDirectory(final String name)
    {
        final File dir = new File(DriverDirectories.defaultBaseDirectory(), "sk-test-" + name + "-"
            + ProcessHandle.current().pid() + "-" + System.nanoTime());
        IoUtil.ensureDirectoryExists(dir, "test base");
        return dir;
    }

    /** A media driver of its own in {@code dir}, as a user's external driver for ranks with launchEmbeddedDriver(false). */
    static io.aeron.driver.MediaDriver externalDriver(final File dir)
    {
        return io.aeron.driver.MediaDriver.launch(new io.aeron.driver.MediaDriver.Context()
            .aeronDirectoryName(dir.getPath()).threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
    }

    static Communicator.Context context(final int rank, final List<Endpoint> endpoints, final Transport transport)
    {
        return new Communicator.Context()
            .rank(rank)
            .endpoints(endpoints)
            .jobId("test-job")
            .jobSecret(SECRET)
            .transport(transport)
            .peerTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .ipcTermLengthBytes(4 << 20)
            .udpTermLengthBytes(16 << 20)
            .fusionThresholdBytes(1 << 20);
    }

    /** Runs {@code body} on every rank concurrently; rethrows the first failure. */
    static void run(final int ranks, final Transport transport, final Body body) throws Exception
    {
        run(ranks, transport, ctx -> ctx, body);
    }

    /** As {@link #run(int, Transport, Body)}, with each rank's context changed by {@code options} first. */
    static void run(final int ranks, final Transport transport,
        final java.util.function.UnaryOperator<Communicator.Context> options, final Body body) throws Exception
    {
        final File base = newBaseDirectory("threads");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(ranks, base);
            final List<Communicator.Context> contexts = new ArrayList<>();
            for (int r = 0; r < ranks; r++)
            {
                contexts.add(options.apply(context(r, endpoints, transport)));
            }
            runContexts(contexts, body);
            final String[] left = base.list();
            if (left != null && left.length > 0)
            {
                throw new AssertionError("driver directories left behind: " + String.join(",", left));
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    static void runContexts(final List<Communicator.Context> contexts, final Body body) throws Exception
    {
        final int ranks = contexts.size();
        final ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try
        {
            final List<Future<?>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++)
            {
                final Communicator.Context ctx = contexts.get(r);
                futures.add(pool.submit(() ->
                {
                    try (Communicator comm = new Communicator(ctx))
                    {
                        body.run(comm);
                    }
                    return null;
                }));
            }
            Exception first = null;
            for (final Future<?> future : futures)
            {
                try
                {
                    future.get(120, TimeUnit.SECONDS);
                }
                catch (final Exception ex)
                {
                    if (first == null)
                    {
                        first = ex;
                    }
                    else
                    {
                        first.addSuppressed(ex);
                    }
                }
            }
            if (first != null)
            {
                throw first;
            }
        }
        finally
        {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** Integer-valued test data, so every sum is exact in float whatever the order. */
    static float value(final int rank, final int i)
    {
        return ((i * 7 + rank * 13) % 97) - 48;
    }

    static float[] data(final int rank, final int n)
    {
        final float[] a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = value(rank, i);
        }
        return a;
    }

    /** The sequential reduction over ranks 0..N-1, as the test's reference. */
    static float expected(final ReduceOp op, final int ranks, final int i)
    {
        float acc = value(0, i);
        for (int r = 1; r < ranks; r++)
        {
            acc = op == ReduceOp.MAX ? Math.max(acc, value(r, i)) : acc + value(r, i);
        }
        return op == ReduceOp.AVERAGE ? acc / ranks : acc;
    }

    static void check(final String what, final ReduceOp op, final int ranks, final int rank, final float[] got,
        final int offset, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final float want = expected(op, ranks, i);
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got[offset + i]))
            {
                throw new AssertionError(what + " " + op + " ranks=" + ranks + " rank=" + rank + " n=" + n
                    + ": element " + i + " is " + got[offset + i] + ", expected " + want);
            }
        }
    }
}
