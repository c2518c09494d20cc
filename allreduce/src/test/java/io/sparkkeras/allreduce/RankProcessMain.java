package io.sparkkeras.allreduce;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One rank in its own JVM, for {@link CommunicatorProcessTest}. Rendezvous through files, as Spark's barrier
 * allGather would: each rank writes its endpoint to {@code rdv/ep-<rank>} and waits for all N.
 *
 * <p>Args: {@code rank ranks rendezvousDir driverBaseDir transport scenario peerTimeoutMs}. Exit codes: 0 ok,
 * 3 an {@link AllreduceException} (message printed as {@code FAILED ...}), 1 anything else.
 */
public final class RankProcessMain
{
    private RankProcessMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rank = Integer.parseInt(args[0]);
        final int ranks = Integer.parseInt(args[1]);
        final File rdv = new File(args[2]);
        final File base = new File(args[3]);
        final Transport transport = Transport.valueOf(args[4]);
        final String scenario = args[5];
        final long peerTimeoutMs = Long.parseLong(args[6]);

        final Endpoint self = new Endpoint("127.0.0.1", Endpoint.freeUdpPort("127.0.0.1"),
            DriverDirectories.newDirectory(base).getAbsolutePath());
        final File tmp = new File(rdv, "tmp-" + rank);
        Files.writeString(tmp.toPath(), self.toString());
        Files.move(tmp.toPath(), new File(rdv, "ep-" + rank).toPath(), StandardCopyOption.ATOMIC_MOVE);
        final List<String> texts = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int r = 0; r < ranks; r++)
        {
            final File f = new File(rdv, "ep-" + r);
            while (!f.exists())
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("rendezvous timed out waiting for " + f);
                }
                Thread.sleep(5);
            }
            texts.add(Files.readString(f.toPath()).trim());
        }
        final Communicator.Context ctx = RankGroup.context(rank, Endpoint.parseAll(texts), transport)
            .peerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(peerTimeoutMs));
        try (Communicator comm = new Communicator(ctx))
        {
            switch (scenario)
            {
                case "ops":
                    CommunicatorThreadsTest.runEveryOp(comm, ranks);
                    if (ranks == 2)
                    {
                        final int n = 16 << 20;
                        final float[] a = RankGroup.data(rank, n);
                        comm.allreduce(a, ReduceOp.SUM);
                        RankGroup.check("64MiB process", ReduceOp.SUM, ranks, rank, a, 0, n);
                    }
                    break;
                case "loop":
                case "loop-small":
                    // loop-small: arrays on the small-message path (issue #3), the ring otherwise.
                    final float[] buf = RankGroup.data(rank, "loop".equals(scenario) ? 1 << 20 : 64);
                    comm.allreduce(buf, ReduceOp.SUM);
                    System.out.println("READY");
                    System.out.flush();
                    for (long i = 0; ; i++)
                    {
                        comm.allreduce(buf, ReduceOp.MAX);
                    }
                case "exact":
                    for (int round = 0; round < 40; round++)
                    {
                        final float[] a = RankGroup.data(rank, 300_001);
                        comm.allreduce(a, ReduceOp.SUM);
                        RankGroup.check("exact round " + round, ReduceOp.SUM, ranks, rank, a, 0, a.length);
                        if (round == 0)
                        {
                            System.out.println("READY");
                            System.out.flush();
                        }
                        Thread.sleep(25);
                    }
                    System.out.println("DROPPED " + comm.foreignFramesDropped());
                    break;
                default:
                    throw new IllegalArgumentException("unknown scenario " + scenario);
            }
            System.out.println("OK rank=" + rank);
        }
        catch (final AllreduceException ex)
        {
            System.out.println("FAILED " + ex.getClass().getSimpleName() + " " + ex.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
