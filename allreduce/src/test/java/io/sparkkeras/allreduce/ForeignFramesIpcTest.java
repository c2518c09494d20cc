package io.sparkkeras.allreduce;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A foreign client publishes forged frames into a member's own driver (IPC) on the member's stream id. */
class ForeignFramesIpcTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void forgedIpcFramesNeverChangeAResult() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("foreign-ipc");
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sent = new AtomicInteger();
        final CountDownLatch joined = new CountDownLatch(3);
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(3, base);
            final JobAuth job = new JobAuth("test-job", RankGroup.SECRET);
            final Thread attacker = new Thread(() ->
            {
                try
                {
                    joined.await(60, TimeUnit.SECONDS);
                    final List<Aeron> clients = new ArrayList<>();
                    final List<ExclusivePublication> pubs = new ArrayList<>();
                    for (int r = 0; r < 3; r++)
                    {
                        final Aeron aeron = Aeron.connect(new Aeron.Context()
                            .aeronDirectoryName(endpoints.get(r).ipcDirectory()));
                        clients.add(aeron);
                        pubs.add(aeron.addExclusivePublication("aeron:ipc?term-length=1m",
                            JobAuth.streamId(job.jobHash, r)));
                    }
                    final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(Frame.HEADER_LENGTH + 4096));
                    int seq = 0;
                    while (running.get())
                    {
                        seq = (seq % 60) + 1;
                        frame.putByte(Frame.VERSION_OFFSET, Frame.VERSION);
                        frame.putByte(Frame.TYPE_OFFSET, Frame.TYPE_DATA);
                        frame.putInt(Frame.SEQ_OFFSET, seq);
                        frame.putLong(Frame.JOB_OFFSET, job.jobHash);
                        frame.putLong(Frame.TOKEN_OFFSET, job.frameToken ^ 1L); // one bit off
                        frame.putByte(Frame.KIND_OFFSET, Frame.KIND_ALLREDUCE);
                        for (int i = 0; i < 1024; i++)
                        {
                            frame.putFloat(Frame.HEADER_LENGTH + 4 * i, 1e30f);
                        }
                        for (final ExclusivePublication pub : pubs)
                        {
                            if (pub.offer(frame, 0, frame.capacity()) > 0)
                            {
                                sent.incrementAndGet();
                            }
                        }
                        Thread.sleep(1);
                    }
                    pubs.forEach(ExclusivePublication::close);
                    clients.forEach(Aeron::close);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "foreign-ipc-publisher");
            attacker.start();
            final List<Communicator.Context> contexts = new ArrayList<>();
            for (int r = 0; r < 3; r++)
            {
                contexts.add(RankGroup.context(r, endpoints, Transport.IPC));
            }
            try
            {
                RankGroup.runContexts(contexts, comm ->
                {
                    joined.countDown();
                    for (int round = 0; round < 40; round++)
                    {
                        final float[] a = RankGroup.data(comm.rank(), 100_003);
                        comm.allreduce(a, ReduceOp.SUM);
                        RankGroup.check("round " + round, ReduceOp.SUM, 3, comm.rank(), a, 0, a.length);
                        Thread.sleep(5);
                    }
                    comm.barrier();
                });
            }
            finally
            {
                running.set(false);
                attacker.join(30_000);
            }
            assertTrue(sent.get() > 0, "the foreign publisher never got a frame out");
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }
}
