package io.sparkkeras.allreduce;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A foreign client for tests: once the members have joined, it publishes forged frames into every member's own
 * driver (IPC) on that member's stream id, a burst at a time with a 1 ms pause, until closed.
 *
 * <pre>{@code
 * try (ForgedFramePublisher attacker = new ForgedFramePublisher(endpoints, job, 4096, 1, (frame, k) -> ...)) {
 *     attacker.allreducesStayExact(100_003);
 * }
 * }</pre>
 */
final class ForgedFramePublisher implements AutoCloseable
{
    /** Writes forged frame number {@code k} (counting from 0) into {@code frame}, header and payload. */
    interface Forger
    {
        void forge(UnsafeBuffer frame, int k);
    }

    private final List<Endpoint> endpoints;
    private final CountDownLatch joined;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    /** Opens when a first forged frame has reached a driver, so the allreduces do not finish before the attack. */
    private final CountDownLatch firstSent = new CountDownLatch(1);
    private final AtomicReference<Throwable> clientError = new AtomicReference<>();
    private final Thread thread;

    /**
     * Starts publishing once every member has joined: bursts of {@code framesPerBurst} frames of
     * {@code payloadBytes} after the header, each written by {@code forger}.
     */
    ForgedFramePublisher(final List<Endpoint> endpoints, final JobAuth job, final int payloadBytes,
        final int framesPerBurst, final Forger forger)
    {
        this.endpoints = endpoints;
        this.joined = new CountDownLatch(endpoints.size());
        thread = new Thread(() ->
        {
            final List<Aeron> clients = new ArrayList<>();
            final List<ExclusivePublication> pubs = new ArrayList<>();
            try
            {
                joined.await(60, TimeUnit.SECONDS);
                for (int r = 0; r < endpoints.size(); r++)
                {
                    // Aeron's default handler calls System.exit when a driver it is connected to shuts down,
                    // which would take the test JVM with it: record instead, and fail the test on it.
                    final Aeron aeron = Aeron.connect(new Aeron.Context()
                        .aeronDirectoryName(endpoints.get(r).ipcDirectory())
                        .errorHandler(ex -> clientError.compareAndSet(null, ex)));
                    clients.add(aeron);
                    pubs.add(aeron.addExclusivePublication("aeron:ipc?term-length=1m",
                        JobAuth.streamId(job.jobHash, r)));
                }
                final UnsafeBuffer frame =
                    new UnsafeBuffer(ByteBuffer.allocateDirect(Frame.HEADER_LENGTH + payloadBytes));
                int k = 0;
                while (running.get())
                {
                    for (int i = 0; i < framesPerBurst; i++)
                    {
                        forger.forge(frame, k++);
                        for (final ExclusivePublication pub : pubs)
                        {
                            if (pub.offer(frame, 0, frame.capacity()) > 0)
                            {
                                sent.incrementAndGet();
                                firstSent.countDown();
                            }
                        }
                    }
                    Thread.sleep(1);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                pubs.forEach(ExclusivePublication::close);
                clients.forEach(Aeron::close);
            }
        }, "forged-frame-publisher");
        thread.start();
    }

    /**
     * Every member (IPC ring, one thread each) waits for the first forged frame, then runs 40 SUM allreduces of
     * {@code floats} floats while the forged frames arrive, each result checked against the sequential sum on every
     * rank; then the publishing stops (before any member closes its driver), and at least one forged frame must have
     * reached a driver.
     */
    void allreducesStayExact(final int floats) throws Exception
    {
        final List<Communicator.Context> contexts = new ArrayList<>();
        for (int r = 0; r < endpoints.size(); r++)
        {
            // The shared-memory windows off: the forged frames must meet the ring, which reads the stream.
            contexts.add(RankGroup.context(r, endpoints, Transport.IPC).sharedMemoryWindowBytes(0));
        }
        try
        {
            RankGroup.runContexts(contexts, comm ->
            {
                joined.countDown();
                // On a loaded machine the 40 rounds could end before the publisher has connected: wait for it.
                assertTrue(firstSent.await(30, TimeUnit.SECONDS), "the foreign publisher sent nothing in 30 s");
                for (int round = 0; round < 40; round++)
                {
                    final float[] a = RankGroup.data(comm.rank(), floats);
                    comm.allreduce(a, ReduceOp.SUM);
                    RankGroup.check("round " + round, ReduceOp.SUM, endpoints.size(), comm.rank(), a, 0, floats);
                    Thread.sleep(5);
                }
                // Every rank stops the publisher before the barrier, so no driver closes under a live client.
                close();
                comm.barrier();
            });
        }
        finally
        {
            close();
        }
        assertTrue(sent.get() > 0, "the foreign publisher never got a frame out");
        assertNull(clientError.get(), "the foreign publisher's Aeron client failed");
    }

    /** Stops publishing and waits for the publisher's clients to close; safe to call from several threads. */
    @Override
    public void close() throws InterruptedException
    {
        running.set(false);
        thread.join(30_000);
    }
}
