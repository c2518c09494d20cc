package io.sparkkeras.allreduce;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ranks in separate JVMs: every op, a member killed mid-allreduce, and foreign frames during an allreduce. */
class CommunicatorProcessTest
{
    @ParameterizedTest(name = "ranks={0} transport={1}")
    @CsvSource({ "1, IPC", "2, IPC", "3, UDP", "4, AUTO" })
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyOpInSeparateProcesses(final int ranks, final Transport transport) throws Exception
    {
        try (ProcessGroup group = new ProcessGroup(ranks, transport, "ops", 30_000, ranks == 2 ? "400m" : "160m"))
        {
            for (int r = 0; r < ranks; r++)
            {
                final int code = group.await(r, 120_000);
                assertEquals(0, code, "rank " + r + " exit code; output:\n" + group.output(r));
                assertTrue(group.output(r).contains("OK rank=" + r), group.output(r));
            }
            assertArrayEquals(new String[0], group.driverDirectoriesLeft(), "driver directories left behind");
        }
    }

    @ParameterizedTest(name = "transport={0} scenario={1}")
    @CsvSource({ "IPC, loop", "UDP, loop", "IPC, loop-small" })
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void killedMemberMakesEveryOtherRankFailWithinTimeout(final Transport transport, final String scenario)
        throws Exception
    {
        final long peerTimeoutMs = 3_000;
        try (ProcessGroup group = new ProcessGroup(3, transport, scenario, peerTimeoutMs, "128m"))
        {
            for (int r = 0; r < 3; r++)
            {
                assertTrue(group.awaitLine(r, "READY", 60_000), "rank " + r + " never ready:\n" + group.output(r));
            }
            Thread.sleep(200);
            final long killedAt = System.nanoTime();
            group.processes.get(1).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (final int r : new int[]{ 0, 2 })
            {
                final int code = group.await(r, peerTimeoutMs + 15_000);
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                final String out = group.output(r);
                assertEquals(3, code, "rank " + r + " should fail with an AllreduceException; output:\n" + out);
                assertTrue(out.contains("FAILED PeerTimeoutException") && out.contains("op=allreduce#")
                    && out.contains("peer rank ") && out.contains("127.0.0.1"), out);
                assertTrue(tookMs < peerTimeoutMs + 12_000, "rank " + r + " took " + tookMs + " ms");
            }
            // The survivors removed their own directories and, on close, the killed rank's (its pid is dead).
            assertArrayEquals(new String[0], group.driverDirectoriesLeft(), "driver directories left behind");
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void foreignPublisherDuringAllreduceDoesNotChangeResults() throws Exception
    {
        final File foreignBase = RankGroup.newBaseDirectory("foreign-udp");
        final File foreignDir = DriverDirectories.newDirectory(foreignBase);
        try (ProcessGroup group = new ProcessGroup(2, Transport.UDP, "exact", 20_000, "128m");
            MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(foreignDir.getPath())
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            // Not Aeron's default error handler, which calls System.exit if the driver goes first.
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(foreignDir.getPath())
                .errorHandler(Throwable::printStackTrace)))
        {
            final List<String> eps = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                final File f = new File(group.rendezvous, "ep-" + r);
                while (!f.exists())
                {
                    Thread.sleep(5);
                }
                eps.add(Files.readString(f.toPath()).trim());
            }
            assertTrue(group.awaitLine(0, "READY", 60_000), group.output(0));
            final JobAuth job = new JobAuth("test-job", RankGroup.SECRET);
            final JobAuth otherJob = new JobAuth("other-job", "another-secret-0123456789".getBytes());
            final List<ExclusivePublication> pubs = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                final Endpoint ep = Endpoint.parse(eps.get(r));
                // Same stream id as the member's own, so the frames reach its subscription.
                pubs.add(aeron.addExclusivePublication("aeron:udp?endpoint=" + ep.host() + ":" + ep.port()
                    + "|mtu=65504", JobAuth.streamId(job.jobHash, r)));
            }
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(Frame.HEADER_LENGTH + 4096));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int sent = 0;
            int variant = 0;
            while (group.processes.get(0).isAlive() && System.nanoTime() < deadline)
            {
                // Forged data frames for the current op numbers: right job hash with a wrong token, another job's
                // token, a wrong version, and random bytes.
                for (int seq = 1; seq < 50; seq++)
                {
                    variant++;
                    frame.putByte(Frame.VERSION_OFFSET, variant % 4 == 2 ? (byte)9 : Frame.VERSION);
                    frame.putByte(Frame.TYPE_OFFSET, Frame.TYPE_DATA);
                    frame.putShort(Frame.SOURCE_OFFSET, (short)0);
                    frame.putInt(Frame.SEQ_OFFSET, seq);
                    frame.putLong(Frame.JOB_OFFSET, variant % 4 == 1 ? otherJob.jobHash : job.jobHash);
                    frame.putLong(Frame.TOKEN_OFFSET, variant % 4 == 1 ? otherJob.frameToken : 0x1234_5678L);
                    frame.putShort(Frame.STEP_OFFSET, (short)0);
                    frame.putByte(Frame.KIND_OFFSET, Frame.KIND_ALLREDUCE);
                    frame.putInt(Frame.INDEX_OFFSET, 0);
                    for (int i = 0; i < 1024; i++)
                    {
                        frame.putFloat(Frame.HEADER_LENGTH + 4 * i, variant % 4 == 3
                            ? Float.intBitsToFloat(ThreadLocalRandom.current().nextInt()) : 1e30f);
                    }
                    for (final ExclusivePublication pub : pubs)
                    {
                        if (pub.offer(frame, 0, Frame.HEADER_LENGTH + 4096) > 0)
                        {
                            sent++;
                        }
                    }
                }
                Thread.sleep(2);
            }
            for (int r = 0; r < 2; r++)
            {
                assertEquals(0, group.await(r, 60_000), "rank " + r + ":\n" + group.output(r));
                assertTrue(group.output(r).contains("OK rank=" + r), group.output(r));
            }
            assertTrue(sent > 0, "the foreign publisher never got a frame out");
            assertArrayEquals(new String[0], group.driverDirectoriesLeft());
        }
        finally
        {
            IoUtil.delete(foreignBase, true);
        }
    }
}
