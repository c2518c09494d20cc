package io.sparkkeras.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every collective with 1..4 ranks as threads, each rank with its own embedded driver. */
class CommunicatorThreadsTest
{
    /** Sizes: 0, 1, N-1, not divisible by N, several chunks per segment and not divisible. */
    static int[] sizes(final int ranks)
    {
        return new int[]{ 0, 1, Math.max(ranks - 1, 0), 1000 * ranks + 1, 3 * 16360 * ranks + 7 };
    }

    @ParameterizedTest(name = "ranks={0} transport={1}")
    @CsvSource({ "1, IPC", "2, IPC", "3, IPC", "4, IPC", "2, UDP", "3, UDP", "4, AUTO" })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyOpMatchesSequentialReference(final int ranks, final Transport transport) throws Exception
    {
        RankGroup.run(ranks, transport, comm -> runEveryOp(comm, ranks));
    }

    @ParameterizedTest(name = "ranks={0}")
    @CsvSource({ "2", "3", "4" })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyOpMatchesOverTheIpcRingWithSharedMemoryOff(final int ranks) throws Exception
    {
        // Ranks on one host reduce through shared memory by default; the ring over IPC must still be right.
        RankGroup.run(ranks, Transport.IPC, ctx -> ctx.sharedMemoryWindowBytes(0), comm -> runEveryOp(comm, ranks));
    }

    static void runEveryOp(final Communicator comm, final int ranks)
    {
        final int rank = comm.rank();
        for (final int n : sizes(ranks))
        {
            for (final ReduceOp op : ReduceOp.values())
            {
                final float[] a = RankGroup.data(rank, n);
                comm.allreduce(a, op);
                RankGroup.check("float[] allreduce", op, ranks, rank, a, 0, n);

                final FloatBuffer fb = ByteBuffer.allocateDirect(4 * (n + 3)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
                fb.position(3);
                for (int i = 0; i < n; i++)
                {
                    fb.put(3 + i, RankGroup.value(rank, i));
                }
                comm.allreduce(fb, op);
                final float[] back = new float[n];
                for (int i = 0; i < n; i++)
                {
                    back[i] = fb.get(3 + i);
                }
                RankGroup.check("FloatBuffer allreduce", op, ranks, rank, back, 0, n);
                assertEquals(3, fb.position());
            }
            final int root = ranks - 1;
            final float[] b = rank == root ? RankGroup.data(root, n) : new float[n];
            comm.broadcast(b, root);
            assertArrayEquals(RankGroup.data(root, n), b, "broadcast n=" + n + " rank=" + rank);

            final FloatBuffer fb = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            if (rank == 0)
            {
                fb.put(RankGroup.data(0, n)).flip();
            }
            comm.broadcast(fb, 0);
            final float[] back = new float[n];
            fb.get(0, back);
            assertArrayEquals(RankGroup.data(0, n), back, "FloatBuffer broadcast n=" + n);
        }
        final byte[][] all = comm.allgather(("rank-" + rank + "-" + "x".repeat(rank * 100))
            .getBytes(StandardCharsets.UTF_8));
        assertEquals(ranks, all.length);
        for (int r = 0; r < ranks; r++)
        {
            assertEquals("rank-" + r + "-" + "x".repeat(r * 100), new String(all[r], StandardCharsets.UTF_8));
        }
        comm.barrier();
    }

    @ParameterizedTest(name = "ranks={0}")
    @CsvSource({ "2", "3" })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fusedAndAsyncAllreduce(final int ranks) throws Exception
    {
        RankGroup.run(ranks, Transport.IPC, comm ->
        {
            final int rank = comm.rank();
            // 40 gradients of assorted sizes, some larger than the 1 MiB fusion buffer.
            final float[][] grads = new float[40][];
            for (int t = 0; t < grads.length; t++)
            {
                grads[t] = RankGroup.data(rank, t % 7 == 3 ? 300_000 + t : 17 * t + 1);
            }
            comm.allreduce(grads, ReduceOp.SUM);
            for (final float[] g : grads)
            {
                RankGroup.check("fused", ReduceOp.SUM, ranks, rank, g, 0, g.length);
            }

            final float[] a = RankGroup.data(rank, 100_003);
            final float[][] more = { RankGroup.data(rank, 5), RankGroup.data(rank, 70_000) };
            final CompletableFuture<float[]> fa = comm.allreduceAsync(a, ReduceOp.AVERAGE);
            final CompletableFuture<float[][]> fm = comm.allreduceAsync(more, ReduceOp.MAX);
            double busy = 0;
            for (int i = 0; i < 1000; i++)
            {
                busy += Math.sqrt(i); // the "next computation" overlapping communication
            }
            assertEquals(true, busy > 0);
            RankGroup.check("async", ReduceOp.AVERAGE, ranks, rank, fa.get(60, TimeUnit.SECONDS), 0, a.length);
            fm.get(60, TimeUnit.SECONDS);
            RankGroup.check("async fused", ReduceOp.MAX, ranks, rank, more[0], 0, 5);
            RankGroup.check("async fused", ReduceOp.MAX, ranks, rank, more[1], 0, 70_000);
            // A synchronous call after async ones runs after them, in order on every rank.
            final float[] c = RankGroup.data(rank, 33);
            comm.allreduceAsync(RankGroup.data(rank, 1000), ReduceOp.SUM);
            comm.allreduce(c, ReduceOp.SUM);
            RankGroup.check("sync after async", ReduceOp.SUM, ranks, rank, c, 0, 33);
        });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void externalDriverSharedByAllRanks() throws Exception
    {
        final java.io.File base = RankGroup.newBaseDirectory("external");
        final java.io.File dir = DriverDirectories.newDirectory(base);
        try (io.aeron.driver.MediaDriver driver = RankGroup.externalDriver(dir))
        {
            final java.util.List<Endpoint> endpoints = new java.util.ArrayList<>();
            for (int r = 0; r < 3; r++)
            {
                endpoints.add(new Endpoint("127.0.0.1", Endpoint.freeUdpPort("127.0.0.1"), dir.getAbsolutePath()));
            }
            final java.util.List<Communicator.Context> contexts = new java.util.ArrayList<>();
            for (int r = 0; r < 3; r++)
            {
                contexts.add(RankGroup.context(r, endpoints, Transport.IPC).launchEmbeddedDriver(false));
            }
            RankGroup.runContexts(contexts, comm -> runEveryOp(comm, 3));
            assertEquals(true, dir.exists(), "an external driver's directory belongs to that driver");
        }
        finally
        {
            org.agrona.IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sixtyFourMebibytesThreeRanks() throws Exception
    {
        final int n = 16 << 20; // 64 MiB of floats, not divisible by 3
        RankGroup.run(3, Transport.IPC, comm ->
        {
            final float[] a = RankGroup.data(comm.rank(), n);
            comm.allreduce(a, ReduceOp.SUM);
            RankGroup.check("64MiB", ReduceOp.SUM, 3, comm.rank(), a, 0, n);
        });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomFloatsAreBitIdenticalOnEveryRank() throws Exception
    {
        final int ranks = 3;
        final int n = 200_001;
        final float[][] results = new float[ranks][];
        RankGroup.run(ranks, Transport.IPC, comm ->
        {
            final java.util.Random random = new java.util.Random(comm.rank());
            final float[] a = new float[n];
            for (int i = 0; i < n; i++)
            {
                a[i] = (float)random.nextGaussian();
            }
            comm.allreduce(a, ReduceOp.SUM);
            results[comm.rank()] = a;
        });
        final float[][] inputs = new float[ranks][n];
        for (int r = 0; r < ranks; r++)
        {
            final java.util.Random random = new java.util.Random(r);
            for (int i = 0; i < n; i++)
            {
                inputs[r][i] = (float)random.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int r = 0; r < ranks; r++)
            {
                sum += inputs[r][i];
            }
            assertEquals(sum, results[0][i], 1e-5, "element " + i);
            for (int r = 1; r < ranks; r++)
            {
                assertEquals(Float.floatToRawIntBits(results[0][i]), Float.floatToRawIntBits(results[r][i]),
                    "rank " + r + " differs from rank 0 at " + i);
            }
        }
    }
}
