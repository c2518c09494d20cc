package io.sparkkeras.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared-memory path that ranks on one host take: the same bits as the ring, every size and op, pieces when the
 * window is smaller than the array, a silent peer named within the timeout, mismatched windows refused.
 */
class SharedWindowsTest
{
    /** 64 KiB: arrays of more than 16,384 / N floats per segment go in pieces. */
    private static final int SMALL_WINDOW = 64 << 10;
    /** The job hash of {@link RankGroup#context}'s job. */
    private static final long TEST_JOB = new JobAuth("test-job", RankGroup.SECRET).jobHash;

    private static int[] sizes(final int ranks)
    {
        final int smallLimit = Communicator.Context.DEFAULT_SMALL_ALLREDUCE_BYTES / 4 / (ranks - 1);
        return new int[] {0, 1, ranks - 1, smallLimit, smallLimit + 1, 1000 * ranks + 1, 70_001};
    }

    /** Gaussian floats, so the order of the additions shows in the bits. */
    private static float[] gaussian(final int rank, final int n, final int salt)
    {
        final Random random = new Random(31L * rank + 7L * n + salt);
        final float[] a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)random.nextGaussian() * (1 + i % 5);
        }
        return a;
    }

    /** Every rank's results of every (size, op, float[] or buffer) case, in call order. */
    private static List<float[]>[] runAll(final int ranks, final int windowBytes) throws Exception
    {
        @SuppressWarnings("unchecked")
        final List<float[]>[] results = new List[ranks];
        RankGroup.run(ranks, Transport.IPC, ctx -> ctx.sharedMemoryWindowBytes(windowBytes), comm ->
        {
            final int rank = comm.rank();
            final List<float[]> mine = new ArrayList<>();
            for (final int n : sizes(ranks))
            {
                for (final ReduceOp op : ReduceOp.values())
                {
                    final float[] padded = new float[n + 3];
                    System.arraycopy(gaussian(rank, n, op.ordinal()), 0, padded, 3, n);
                    comm.allreduce(padded, 3, n, op);
                    mine.add(java.util.Arrays.copyOfRange(padded, 3, n + 3));

                    final FloatBuffer buffer = ByteBuffer.allocateDirect(4 * (n + 2)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                    buffer.position(2);
                    buffer.put(gaussian(rank, n, 10 + op.ordinal()));
                    buffer.position(2);
                    comm.allreduce(buffer, op);
                    final float[] out = new float[n];
                    buffer.get(out);
                    mine.add(out);
                }
            }
            results[rank] = mine;
        });
        return results;
    }

    @ParameterizedTest(name = "ranks={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sharedMemoryGivesTheRingsBitsOnEveryRank(final int ranks) throws Exception
    {
        final List<float[]>[] shared = runAll(ranks, SMALL_WINDOW);
        final List<float[]>[] ring = runAll(ranks, 0);
        for (int r = 0; r < ranks; r++)
        {
            assertEquals(ring[0].size(), shared[r].size());
            for (int c = 0; c < ring[0].size(); c++)
            {
                final float[] want = ring[0].get(c);
                final float[] got = shared[r].get(c);
                assertEquals(want.length, got.length, "case " + c);
                for (int i = 0; i < want.length; i++)
                {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i]))
                    {
                        throw new AssertionError("ranks=" + ranks + " rank=" + r + " case " + c + " (n="
                            + want.length + "): element " + i + " is " + got[i] + " through shared memory, "
                            + want[i] + " through the ring");
                    }
                }
            }
        }
    }

    /** Every rank's results of a seeded sequence of calls of mixed sizes, each rank pausing at random between them. */
    private static List<float[]>[] runMixed(final int ranks, final int windowBytes, final boolean delays)
        throws Exception
    {
        final int[] sizes = {1, 7, 1000, 5000, 20_000, 70_001};
        @SuppressWarnings("unchecked")
        final List<float[]>[] results = new List[ranks];
        RankGroup.run(ranks, Transport.IPC, ctx -> ctx.sharedMemoryWindowBytes(windowBytes), comm ->
        {
            final Random calls = new Random(42);
            final Random pauses = new Random(comm.rank());
            final List<float[]> mine = new ArrayList<>();
            for (int c = 0; c < 150; c++)
            {
                final int n = sizes[calls.nextInt(sizes.length)];
                final ReduceOp op = ReduceOp.values()[calls.nextInt(3)];
                final float[] a = gaussian(comm.rank(), n, c);
                if (delays && pauses.nextInt(4) == 0)
                {
                    Thread.sleep(0, 1000 * pauses.nextInt(900));
                }
                comm.allreduce(a, op);
                mine.add(a);
            }
            results[comm.rank()] = mine;
        });
        return results;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mixedSizesWithRanksOutOfStepGiveTheRingsBits() throws Exception
    {
        // Strides change from call to call, pieces wrap the 64 KiB window at different places, and one rank may run
        // ahead of another by up to a piece.
        final List<float[]>[] shared = runMixed(3, SMALL_WINDOW, true);
        final List<float[]>[] ring = runMixed(3, 0, false);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < ring[0].size(); c++)
            {
                final float[] want = ring[0].get(c);
                final float[] got = shared[r].get(c);
                for (int i = 0; i < want.length; i++)
                {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i]))
                    {
                        throw new AssertionError("rank " + r + " call " + c + " (n=" + want.length + "): element " + i
                            + " is " + got[i] + " through shared memory, " + want[i] + " through the ring");
                    }
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void integerSumsAreExactOnOneHostOverAuto() throws Exception
    {
        RankGroup.run(3, Transport.AUTO, ctx -> ctx.sharedMemoryWindowBytes(SMALL_WINDOW), comm ->
        {
            final int n = 3 * 16360 * 3 + 7;
            for (final ReduceOp op : ReduceOp.values())
            {
                final float[] a = RankGroup.data(comm.rank(), n);
                comm.allreduce(a, op);
                RankGroup.check("shared memory", op, 3, comm.rank(), a, 0, n);
            }
        });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSilentPeerIsNamedWithinTheTimeout() throws Exception
    {
        final long[] waited = new long[1];
        final Exception ex = assertThrows(Exception.class, () -> RankGroup.run(2, Transport.IPC,
            ctx -> ctx.peerTimeoutNs(TimeUnit.SECONDS.toNanos(1)), comm ->
            {
                if (comm.rank() == 0)
                {
                    final long t0 = System.nanoTime();
                    try
                    {
                        comm.allreduce(new float[100_000], ReduceOp.SUM);
                    }
                    finally
                    {
                        waited[0] = System.nanoTime() - t0;
                    }
                }
                else
                {
                    Thread.sleep(3000);
                }
            }));
        Throwable cause = ex.getCause();
        assertTrue(cause instanceof PeerTimeoutException, "got " + ex);
        final PeerTimeoutException timeout = (PeerTimeoutException)cause;
        assertEquals(1, timeout.peerRank());
        assertEquals("allreduce#3", timeout.operation());
        assertTrue(timeout.getMessage().contains("silent in shared memory"), timeout.getMessage());
        assertTrue(waited[0] < TimeUnit.SECONDS.toNanos(3), "waited " + waited[0] / 1e9 + " s");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void differentLengthsOnTwoRanksFailAtOnceNamingBoth() throws Exception
    {
        final String[] messages = new String[2];
        final long[] took = new long[2];
        assertThrows(Exception.class, () -> RankGroup.run(2, Transport.IPC, comm ->
        {
            final long t0 = System.nanoTime();
            try
            {
                comm.allreduce(new float[comm.rank() == 0 ? 1000 : 2000], ReduceOp.SUM);
            }
            catch (final AllreduceException ex)
            {
                messages[comm.rank()] = ex.getMessage();
                took[comm.rank()] = System.nanoTime() - t0;
                throw ex;
            }
        }));
        assertTrue(messages[0] != null && messages[0].contains("it is in allreduce#3 of 2000 floats (SUM), this rank "
            + "in allreduce#3 of 1000 floats (SUM)") && messages[0].contains("same lengths"), messages[0]);
        assertTrue(messages[1] != null && messages[1].contains("peer rank 0"), messages[1]);
        // Well within the 20 s peer timeout: the mismatch is seen, not waited out.
        assertTrue(Math.max(took[0], took[1]) < TimeUnit.SECONDS.toNanos(5), "took " + took[0] + ", " + took[1]);
    }

    @ParameterizedTest(name = "rank 1 window={0}")
    @ValueSource(ints = {2 * SMALL_WINDOW, 0})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ranksWithDifferentWindowsAreRefusedAtJoin(final int otherWindow) throws Exception
    {
        final File base = RankGroup.newBaseDirectory("windows");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(2, base);
            // A refused HELLO may be a forger's, so the join waits out its timeout for a good one: keep it short.
            final List<Communicator.Context> contexts = List.of(
                RankGroup.context(0, endpoints, Transport.IPC).sharedMemoryWindowBytes(SMALL_WINDOW)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(3)),
                RankGroup.context(1, endpoints, Transport.IPC).sharedMemoryWindowBytes(otherWindow)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(3)));
            final Exception ex = assertThrows(Exception.class, () -> RankGroup.runContexts(contexts, comm -> { }));
            final String message = ex.getCause().getMessage();
            assertTrue(message.contains("op=join") && message.contains("sharedMemoryWindowBytes"), message);
        }
        finally
        {
            org.agrona.IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWindowLeftByAKilledProcessIsReapedFromAnExternalDriversDirectory() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("reap");
        final File dir = DriverDirectories.newDirectory(base);
        try (io.aeron.driver.MediaDriver driver = RankGroup.externalDriver(dir))
        {
            // A process that has exited, as a rank killed with SIGKILL, left its window behind; a live one has its own.
            final Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            final File stale = windowOwnedBy(dir, "sk-window-5ca1ab1e-r0", gone.pid());
            final File live = windowOwnedBy(dir, "sk-window-a11ce-r1", ProcessHandle.current().pid());

            RankGroup.runContexts(twoRanksOnExternalDriver(dir, "reap"), comm ->
            {
                final float[] a = RankGroup.data(comm.rank(), 70_001);
                comm.allreduce(a, ReduceOp.SUM);
                assertEquals(RankGroup.expected(ReduceOp.SUM, 2, 70_000), a[70_000]);
            });

            assertFalse(stale.exists(), "the exited process's window is still in " + dir);
            assertTrue(live.exists(), "a live process's window was deleted");
        }
        finally
        {
            org.agrona.IoUtil.delete(base, true);
        }
    }

    /** Two ranks of job {@code jobId} on this host whose endpoints share one external driver's directory. */
    private static List<Communicator.Context> twoRanksOnExternalDriver(final File dir, final String jobId)
    {
        final List<Endpoint> endpoints = List.of(
            new Endpoint("127.0.0.1", Endpoint.freeUdpPort("127.0.0.1"), dir.getAbsolutePath()),
            new Endpoint("127.0.0.1", Endpoint.freeUdpPort("127.0.0.1"), dir.getAbsolutePath()));
        final List<Communicator.Context> contexts = new ArrayList<>();
        for (int r = 0; r < 2; r++)
        {
            contexts.add(RankGroup.context(r, endpoints, Transport.IPC).jobId(jobId).launchEmbeddedDriver(false)
                .sharedMemoryWindowBytes(SMALL_WINDOW));
        }
        return contexts;
    }

    /** A window file as {@link SharedWindows} writes it, as far as the reaper reads it: the owner's process id. */
    private static File windowOwnedBy(final File dir, final String name, final long pid) throws Exception
    {
        final File file = new File(dir, name);
        final ByteBuffer header = ByteBuffer.allocate(SharedWindows.HEADER_LENGTH).order(ByteOrder.nativeOrder());
        header.putLong(SharedWindows.PID_OFFSET, pid);
        Files.write(file.toPath(), header.array());
        return file;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void twoJobsOnOneExternalDriverKeepTheirOwnWindows() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("two-jobs");
        final File dir = DriverDirectories.newDirectory(base);
        try (io.aeron.driver.MediaDriver driver = RankGroup.externalDriver(dir))
        {
            // Both jobs have a rank 0 and a rank 1 in the same driver directory, running at the same time.
            final List<Thread> jobs = new ArrayList<>();
            final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (final String job : List.of("job-a", "job-b"))
            {
                final float scale = job.equals("job-a") ? 1 : 3;
                final List<Communicator.Context> contexts = twoRanksOnExternalDriver(dir, job);
                final Thread t = new Thread(() ->
                {
                    try
                    {
                        RankGroup.runContexts(contexts, comm ->
                        {
                            for (int call = 0; call < 40; call++)
                            {
                                final float[] a = RankGroup.data(comm.rank(), 70_001);
                                for (int i = 0; i < a.length; i++)
                                {
                                    a[i] *= scale;
                                }
                                comm.allreduce(a, ReduceOp.SUM);
                                for (int i = 0; i < a.length; i++)
                                {
                                    assertEquals(scale * RankGroup.expected(ReduceOp.SUM, 2, i), a[i],
                                        job + " call " + call + " element " + i);
                                }
                            }
                        });
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }, job);
                jobs.add(t);
                t.start();
            }
            for (final Thread t : jobs)
            {
                t.join();
            }
            if (!failures.isEmpty())
            {
                final AssertionError error = new AssertionError("a job failed", failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            final String[] windows = dir.list((d, name) -> name.startsWith(SharedWindows.FILE_PREFIX));
            assertEquals(0, windows.length, "windows left in the external driver's directory");
        }
        finally
        {
            org.agrona.IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theWindowIsTheOwnersOnlyAndGoesOnClose() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("window-file");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(2, base);
            final List<Communicator.Context> contexts = List.of(RankGroup.context(0, endpoints, Transport.IPC),
                RankGroup.context(1, endpoints, Transport.IPC));
            final String[] permissions = new String[2];
            RankGroup.runContexts(contexts, comm ->
            {
                final java.nio.file.Path window = SharedWindows.windowFile(endpoints, comm.rank(), TEST_JOB).toPath();
                permissions[comm.rank()] = java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(window));
                comm.barrier();
            });
            assertEquals("rw-------", permissions[0]);
            assertEquals("rw-------", permissions[1]);
            for (int r = 0; r < 2; r++)
            {
                assertTrue(!SharedWindows.windowFile(endpoints, r, TEST_JOB).exists(), "window of rank " + r + " left behind");
            }
        }
        finally
        {
            org.agrona.IoUtil.delete(base, true);
        }
    }

    @Test
    void aWindowThatIsNotAPageMultipleNamesTheOption()
    {
        final Exception ex = assertThrows(IllegalArgumentException.class, () -> new Communicator(
            RankGroup.context(0, List.of(new Endpoint("127.0.0.1", 40000, "/dev/shm/unused")), Transport.IPC)
                .sharedMemoryWindowBytes(100_000)));
        assertTrue(ex.getMessage().contains("sharedMemoryWindowBytes=100000"), ex.getMessage());
    }
}
