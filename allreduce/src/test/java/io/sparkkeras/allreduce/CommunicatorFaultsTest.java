package io.sparkkeras.allreduce;

import org.agrona.IoUtil;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refused joins, timeouts on a fake clock, an Error mid-collective, and argument errors. */
class CommunicatorFaultsTest
{
    private static List<Communicator.Context> contexts(final List<Endpoint> endpoints)
    {
        final List<Communicator.Context> contexts = new ArrayList<>();
        for (int r = 0; r < endpoints.size(); r++)
        {
            // 10 s, not less: a cold JVM on a loaded machine needs seconds to load Aeron and connect its clients.
            contexts.add(RankGroup.context(r, endpoints, Transport.IPC).connectTimeoutNs(TimeUnit.SECONDS.toNanos(10)));
        }
        return contexts;
    }

    private static Throwable rootOf(final Exception ex)
    {
        return ex instanceof ExecutionException ? ex.getCause() : ex;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rankWithWrongSecretIsRefused() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("secret");
        try
        {
            final List<Communicator.Context> contexts = contexts(Endpoint.localGroup(2, base));
            contexts.get(1).jobSecret("not-the-job-secret-at-all".getBytes(StandardCharsets.UTF_8));
            final long start = System.nanoTime();
            final Exception ex = assertThrows(Exception.class, () -> RankGroup.runContexts(contexts, comm -> { }));
            final Throwable cause = rootOf(ex);
            assertTrue(cause instanceof AllreduceException, cause.toString());
            final String all = cause.getMessage() + " " + (cause.getSuppressed().length > 0 ? "" : "");
            assertTrue(all.contains("wrong job secret") && all.contains("op=join"), all);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
            assertEquals(0, base.list().length, "driver directories left behind");
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rankWithWrongJobIdIsRefused() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("jobid");
        try
        {
            final List<Communicator.Context> contexts = contexts(Endpoint.localGroup(3, base));
            contexts.get(2).jobId("some-other-job");
            final Exception ex = assertThrows(Exception.class, () -> RankGroup.runContexts(contexts, comm -> { }));
            final Throwable cause = rootOf(ex);
            assertTrue(cause instanceof PeerTimeoutException, cause.toString());
            final PeerTimeoutException timeout = (PeerTimeoutException)cause;
            assertEquals("join", timeout.operation());
            assertEquals("127.0.0.1", timeout.peerHost());
            assertEquals(0, base.list().length, "driver directories left behind");
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anErrorInACollectiveFailsTheCommunicator() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("error");
        final AtomicBoolean armed = new AtomicBoolean();
        final OutOfMemoryError outOfMemory = new OutOfMemoryError("test: out of memory while waiting for a peer");
        final AtomicReference<Throwable> first = new AtomicReference<>();
        final AtomicReference<Throwable> second = new AtomicReference<>();
        final AtomicLong secondNs = new AtomicLong();
        final CountDownLatch rank0Failed = new CountDownLatch(1);
        try
        {
            final List<Communicator.Context> contexts = contexts(Endpoint.localGroup(2, base));
            contexts.forEach(ctx -> ctx.peerTimeoutNs(TimeUnit.SECONDS.toNanos(3)));
            // Rank 0's waits throw an Error once armed, as an OutOfMemoryError could in the middle of a collective.
            contexts.get(0).idleStrategy(() -> new org.agrona.concurrent.IdleStrategy()
            {
                @Override
                public void idle(final int workCount)
                {
                    if (workCount == 0)
                    {
                        idle();
                    }
                }

                @Override
                public void idle()
                {
                    if (armed.compareAndSet(true, false))
                    {
                        throw outOfMemory;
                    }
                    Thread.onSpinWait();
                }

                @Override
                public void reset()
                {
                }
            });
            RankGroup.runContexts(contexts, comm ->
            {
                if (comm.rank() == 0)
                {
                    armed.set(true);
                    first.set(assertThrows(OutOfMemoryError.class,
                        () -> comm.allreduce(new float[1 << 16], ReduceOp.SUM)));
                    rank0Failed.countDown();
                    final long t0 = System.nanoTime();
                    second.set(assertThrows(IllegalStateException.class,
                        () -> comm.allreduce(new float[4], ReduceOp.SUM)));
                    secondNs.set(System.nanoTime() - t0);
                }
                else
                {
                    // Rank 0 waits for this one, and its wait throws; only then does this one call.
                    assertTrue(rank0Failed.await(30, TimeUnit.SECONDS));
                    assertThrows(AllreduceException.class, () -> comm.allreduce(new float[1 << 16], ReduceOp.SUM));
                }
            });
            assertEquals(outOfMemory, first.get());
            // The ring stopped mid-operation: the next call fails at once, with the Error as its cause.
            assertTrue(second.get().getMessage().contains("failed earlier"), second.get().getMessage());
            assertEquals(outOfMemory, second.get().getCause());
            assertTrue(secondNs.get() < TimeUnit.SECONDS.toNanos(1), "took " + secondNs.get() / 1e6 + " ms");
            assertEquals(0, base.list().length, "driver directories left behind");
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void silentPeerTimesOutOnFakeClockNamingRankHostAndOp() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("clock");
        final AtomicBoolean fast = new AtomicBoolean();
        final AtomicLong fake = new AtomicLong();
        final NanoClock clock = () -> fast.get() ? fake.addAndGet(TimeUnit.MILLISECONDS.toNanos(50)) : System.nanoTime();
        final CountDownLatch rank0Failed = new CountDownLatch(1);
        try
        {
            final List<Communicator.Context> contexts = contexts(Endpoint.localGroup(2, base));
            contexts.get(0).nanoClock(clock).peerTimeoutNs(TimeUnit.SECONDS.toNanos(5));
            final Exception ex = assertThrows(Exception.class, () -> RankGroup.runContexts(contexts, comm ->
            {
                if (comm.rank() == 0)
                {
                    fake.set(System.nanoTime());
                    fast.set(true); // time now runs 50 ms per read: 5 s pass in 100 idle loops
                    try
                    {
                        comm.allreduce(new float[1000], ReduceOp.SUM);
                    }
                    finally
                    {
                        rank0Failed.countDown();
                    }
                }
                else
                {
                    rank0Failed.await(30, TimeUnit.SECONDS); // rank 1 never calls allreduce
                }
            }));
            final Throwable cause = rootOf(ex);
            assertTrue(cause instanceof PeerTimeoutException, cause.toString());
            final PeerTimeoutException timeout = (PeerTimeoutException)cause;
            assertEquals(1, timeout.peerRank());
            assertEquals("127.0.0.1", timeout.peerHost());
            assertEquals("allreduce#3", timeout.operation());
            assertTrue(timeout.getMessage().contains("rank 0/2 on 127.0.0.1, op=allreduce#3, peer rank 1"),
                timeout.getMessage());
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void errorMessagesNameTheArgumentAndValue() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("args");
        try
        {
            final List<Endpoint> eps = Endpoint.localGroup(2, base);
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new Communicator(RankGroup.context(2, eps, Transport.IPC)));
            assertTrue(ex.getMessage().contains("`rank`") && ex.getMessage().contains("rank=2"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class,
                () -> new Communicator(RankGroup.context(0, eps, Transport.IPC).jobSecret(new byte[3])));
            assertTrue(ex.getMessage().contains("jobSecret.length=3"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class,
                () -> new Communicator(RankGroup.context(0, eps, Transport.IPC).mtuLength(70000)));
            assertTrue(ex.getMessage().contains("mtuLength=70000"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class,
                () -> new Communicator(RankGroup.context(0, eps, Transport.IPC).ipcTermLengthBytes(1000)));
            assertTrue(ex.getMessage().contains("ipcTermLengthBytes=1000"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("nohost"));
            assertTrue(ex.getMessage().contains("endpoint=nohost"), ex.getMessage());
            final Endpoint e = Endpoint.parse("127.0.0.1:4000/dev/shm/x");
            assertEquals(new Endpoint("127.0.0.1", 4000, "/dev/shm/x"), e);
            assertEquals("127.0.0.1:4000/dev/shm/x", e.toString());
            try (Communicator solo = new Communicator(RankGroup.context(0, List.of(eps.get(0)), Transport.IPC)))
            {
                final float[] a = { 1, 2, 3 };
                solo.allreduce(a, ReduceOp.AVERAGE);
                assertEquals(2f, a[1]);
                ex = assertThrows(IllegalArgumentException.class, () -> solo.broadcast(a, 1));
                assertTrue(ex.getMessage().contains("root=1"), ex.getMessage());
                solo.close();
                solo.close(); // idempotent
                final IllegalStateException closed = assertThrows(IllegalStateException.class, solo::barrier);
                assertTrue(closed.getMessage().contains("rank 0 is closed"), closed.getMessage());
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }
}
