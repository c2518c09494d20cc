package io.sparkkeras.allreduce;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small-message allreduce (issue #3: 4 KiB latency): arrays with {@code (N-1) * 4n <= smallAllreduceBytes} go
 * whole round the ring and are reduced on every rank in rank order. Same results, same protections as the ring.
 */
class SmallAllreduceTest
{
    private static final int THRESHOLD = Communicator.Context.DEFAULT_SMALL_ALLREDUCE_BYTES;

    /** Largest array of the small-message path for {@code ranks} ranks. */
    static int atThreshold(final int ranks)
    {
        return ranks == 1 ? 1 : THRESHOLD / (4 * (ranks - 1));
    }

    /** 0, 1, N-1, not divisible by N, at the threshold and one float above it (the ring). */
    static int[] sizes(final int ranks)
    {
        final int at = atThreshold(ranks);
        return new int[]{ 0, 1, Math.max(ranks - 1, 0), 7 * ranks + 1, at, at + 1 };
    }

    @ParameterizedTest(name = "ranks={0} transport={1} sharedMemoryWindowBytes={2}")
    @CsvSource({ "1, IPC, 16777216", "2, IPC, 16777216", "3, IPC, 16777216", "4, IPC, 16777216", "2, UDP, 16777216",
        "3, UDP, 16777216", "2, IPC, 0", "3, IPC, 0", "4, IPC, 0" })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everySizeAndOpMatchesTheSequentialReduction(final int ranks, final Transport transport, final int window)
        throws Exception
    {
        RankGroup.run(ranks, transport, ctx -> ctx.sharedMemoryWindowBytes(window), comm ->
        {
            final int rank = comm.rank();
            for (final int n : sizes(ranks))
            {
                for (final ReduceOp op : ReduceOp.values())
                {
                    // float[] at an offset, so a wrong index would show.
                    final float[] a = new float[n + 5];
                    System.arraycopy(RankGroup.data(rank, n), 0, a, 5, n);
                    comm.allreduce(a, 5, n, op);
                    RankGroup.check("small float[]", op, ranks, rank, a, 5, n);

                    final FloatBuffer fb = ByteBuffer.allocateDirect(4 * (n + 3)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                    fb.position(3);
                    for (int i = 0; i < n; i++)
                    {
                        fb.put(3 + i, RankGroup.value(rank, i));
                    }
                    comm.allreduce(fb, op);
                    final float[] back = new float[n];
                    fb.get(3, back);
                    RankGroup.check("small FloatBuffer", op, ranks, rank, back, 0, n);
                    assertEquals(3, fb.position());
                }
            }
        });
    }

    @ParameterizedTest(name = "ranks={0}")
    @CsvSource({ "2", "3", "4" })
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomFloatsEqualTheRankOrderReductionBitForBitOnEveryRank(final int ranks) throws Exception
    {
        final int n = atThreshold(ranks);
        final float[][][] results = new float[ReduceOp.values().length][ranks][];
        RankGroup.run(ranks, Transport.IPC, comm ->
        {
            for (final ReduceOp op : ReduceOp.values())
            {
                final float[] a = gaussians(comm.rank(), n);
                comm.allreduce(a, op);
                results[op.ordinal()][comm.rank()] = a;
            }
        });
        for (final ReduceOp op : ReduceOp.values())
        {
            // Not integer data: the order of the additions shows in the bits. The path promises rank order.
            final float[] want = gaussians(0, n);
            for (int r = 1; r < ranks; r++)
            {
                final float[] in = gaussians(r, n);
                for (int i = 0; i < n; i++)
                {
                    want[i] = op == ReduceOp.MAX ? Math.max(want[i], in[i]) : want[i] + in[i];
                }
            }
            for (int r = 0; r < ranks; r++)
            {
                for (int i = 0; i < n; i++)
                {
                    final float w = op == ReduceOp.AVERAGE ? want[i] / ranks : want[i];
                    assertEquals(Float.floatToRawIntBits(w), Float.floatToRawIntBits(results[op.ordinal()][r][i]),
                        op + " rank " + r + " element " + i + ": " + results[op.ordinal()][r][i] + " != " + w);
                }
            }
        }
    }

    private static float[] gaussians(final int rank, final int n)
    {
        final Random random = new Random(1000 + rank);
        final float[] a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)random.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest(name = "ranks={0}")
    @CsvSource({ "2", "3" })
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fusedAndAsyncSmallArrays(final int ranks) throws Exception
    {
        RankGroup.run(ranks, Transport.IPC, comm ->
        {
            final int rank = comm.rank();
            // Fused into one buffer below the threshold: one small-message pass.
            final float[][] grads = { RankGroup.data(rank, 3), RankGroup.data(rank, 100), RankGroup.data(rank, 1) };
            comm.allreduce(grads, ReduceOp.SUM);
            for (final float[] g : grads)
            {
                RankGroup.check("fused small", ReduceOp.SUM, ranks, rank, g, 0, g.length);
            }
            final float[] a = RankGroup.data(rank, 200);
            final FloatBuffer fb = ByteBuffer.allocateDirect(4 * 50).order(ByteOrder.nativeOrder()).asFloatBuffer();
            fb.put(RankGroup.data(rank, 50)).flip();
            final float[][] more = { RankGroup.data(rank, 5), RankGroup.data(rank, 9) };
            final CompletableFuture<float[]> fa = comm.allreduceAsync(a, ReduceOp.AVERAGE);
            final CompletableFuture<FloatBuffer> fbf = comm.allreduceAsync(fb, ReduceOp.MAX);
            final CompletableFuture<float[][]> fm = comm.allreduceAsync(more, ReduceOp.SUM);
            RankGroup.check("async small", ReduceOp.AVERAGE, ranks, rank, fa.get(30, TimeUnit.SECONDS), 0, 200);
            final float[] back = new float[50];
            fbf.get(30, TimeUnit.SECONDS).get(0, back);
            RankGroup.check("async small FloatBuffer", ReduceOp.MAX, ranks, rank, back, 0, 50);
            fm.get(30, TimeUnit.SECONDS);
            RankGroup.check("async fused small", ReduceOp.SUM, ranks, rank, more[0], 0, 5);
            RankGroup.check("async fused small", ReduceOp.SUM, ranks, rank, more[1], 0, 9);
        });
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void forgedFramesDuringSmallAllreducesNeverChangeAResult() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("foreign-small");
        final int n = atThreshold(3);
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(3, base);
            final JobAuth job = new JobAuth("test-job", RankGroup.SECRET);
            final JobAuth otherJob = new JobAuth("other-job", "another-secret-0123456789".getBytes());
            // Well-formed small-message frames for the ops in flight: token one bit off, another job.
            try (ForgedFramePublisher attacker = new ForgedFramePublisher(endpoints, job, 4 * n, 59,
                (frame, k) ->
                {
                    final int variant = k + 1;
                    frame.putByte(Frame.VERSION_OFFSET, Frame.VERSION);
                    frame.putByte(Frame.TYPE_OFFSET, Frame.TYPE_DATA);
                    frame.putInt(Frame.SEQ_OFFSET, k % 59 + 1);
                    frame.putLong(Frame.JOB_OFFSET, (variant & 1) == 0 ? job.jobHash : otherJob.jobHash);
                    frame.putLong(Frame.TOKEN_OFFSET, (variant & 1) == 0 ? job.frameToken ^ 1L
                        : otherJob.frameToken);
                    frame.putShort(Frame.STEP_OFFSET, (short)(variant % 2));
                    frame.putByte(Frame.KIND_OFFSET, Frame.KIND_ALLREDUCE_SMALL);
                    frame.putByte(Frame.REDUCE_OFFSET, (byte)ReduceOp.SUM.ordinal());
                    frame.putInt(Frame.INDEX_OFFSET, 0);
                    for (int i = 0; i < n; i++)
                    {
                        frame.putFloat(Frame.HEADER_LENGTH + 4 * i, 1e30f);
                    }
                }))
            {
                attacker.allreducesStayExact(n);
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void differentThresholdsAreRefusedAtJoin() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("small-mismatch");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(2, base);
            final List<Communicator.Context> contexts = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                // 10 s, not less: a cold JVM on a loaded machine needs seconds to load Aeron and connect.
                contexts.add(RankGroup.context(r, endpoints, Transport.IPC)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10)));
            }
            contexts.get(1).smallAllreduceBytes(8192);
            final Exception ex = assertThrows(Exception.class, () -> RankGroup.runContexts(contexts, comm -> { }));
            final Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
            final StringBuilder all = new StringBuilder(String.valueOf(cause.getMessage()));
            for (final Throwable s : ex.getSuppressed())
            {
                all.append(" | ").append(s.getMessage());
            }
            assertTrue(all.toString().contains("smallAllreduceBytes=8192, this rank uses " + THRESHOLD)
                || all.toString().contains("smallAllreduceBytes=" + THRESHOLD + ", this rank uses 8192"), all.toString());
            assertEquals(0, base.list().length, "driver directories left behind");
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    void invalidThresholdNamesTheArgumentAndValue()
    {
        final List<Endpoint> endpoints = List.of(new Endpoint("127.0.0.1", 40000, "/tmp/unused-sk-small"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new Communicator(RankGroup.context(0, endpoints, Transport.IPC).smallAllreduceBytes(-1)));
        assertTrue(ex.getMessage().contains("`smallAllreduceBytes`") && ex.getMessage().contains("smallAllreduceBytes=-1"),
            ex.getMessage());
    }
}
