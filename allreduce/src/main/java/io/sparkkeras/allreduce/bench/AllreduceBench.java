package io.sparkkeras.allreduce.bench;

import io.sparkkeras.allreduce.Communicator;
import io.sparkkeras.allreduce.Endpoint;
import io.sparkkeras.allreduce.ReduceOp;
import io.sparkkeras.allreduce.Transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One rank of {@code bin/bench-allreduce}: float SUM allreduce from 4 KiB to 64 MiB in x4 steps, timed as
 * OpenMPI's {@code shared/bench/peers/mpi_allreduce.c} does (warm-up, barrier, mean of a timed loop of as many
 * operations: 50, or 10 from 16 MiB). Rank 0 prints
 * {@code RESULT transport=… ranks=… bytes=… time_us=… busbw_gbs=…} per size (best of {@code --trials} timed
 * loops, default 3, as this shared 2-core machine is noisy), with
 * {@code busbw = 2(N-1)/N * bytes / time}, and {@code p50_us}, {@code p99_us}, {@code max_us}: percentiles of the
 * single operations of all timed loops (the median is robust to the preemptions that dominate the means on 2 shared
 * cores; the tail shows them).
 *
 * <pre>{@code
 * java -cp … io.sparkkeras.allreduce.bench.AllreduceBench --rank 0 --transport ipc \
 *     --endpoints 127.0.0.1:40001/dev/shm/sk-allreduce-1-r0,127.0.0.1:40002/dev/shm/sk-allreduce-1-r1
 * }</pre>
 */
public final class AllreduceBench
{
    private AllreduceBench()
    {
    }

    private static java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idleStrategy(final String name)
    {
        switch (name)
        {
            case "spin": return org.agrona.concurrent.BusySpinIdleStrategy::new;
            case "yield": return org.agrona.concurrent.YieldingIdleStrategy::new;
            default:
                final String[] p = name.split(":");
                return () -> new org.agrona.concurrent.BackoffIdleStrategy(Long.parseLong(p[0]), Long.parseLong(p[1]),
                    Long.parseLong(p[2]), Long.parseLong(p[3]));
        }
    }

    /**
     * @param args {@code --rank R --endpoints E0,E1,… --transport ipc|udp [--min-bytes B] [--max-bytes B]}.
     */
    public static void main(final String[] args)
    {
        int rank = -1;
        String endpoints = null;
        String transport = "ipc";
        long minBytes = 4096;
        long maxBytes = 64L << 20;
        String idle = "default";
        int warmupRounds = 4000;
        String driverIdle = null;
        int trials = 3;
        int ipcTerm = 16 << 20;
        int udpTerm = new Communicator.Context().udpTermLengthBytes();
        int window = 2 << 20;
        int smallBytes = Communicator.Context.DEFAULT_SMALL_ALLREDUCE_BYTES;
        int shmWindow = Communicator.Context.DEFAULT_SHARED_MEMORY_WINDOW_BYTES;
        int itersOption = 0;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rank": rank = Integer.parseInt(args[i + 1]); break;
                case "--endpoints": endpoints = args[i + 1]; break;
                case "--transport": transport = args[i + 1]; break;
                case "--min-bytes": minBytes = Long.parseLong(args[i + 1]); break;
                case "--max-bytes": maxBytes = Long.parseLong(args[i + 1]); break;
                case "--idle": idle = args[i + 1]; break;
                case "--driver-idle": driverIdle = args[i + 1]; break;
                case "--warmup": warmupRounds = Integer.parseInt(args[i + 1]); break;
                case "--trials": trials = Integer.parseInt(args[i + 1]); break;
                case "--ipc-term": ipcTerm = Integer.parseInt(args[i + 1]); break;
                case "--udp-term": udpTerm = Integer.parseInt(args[i + 1]); break;
                case "--window": window = Integer.parseInt(args[i + 1]); break;
                case "--small-bytes": smallBytes = Integer.parseInt(args[i + 1]); break;
                case "--shm-window": shmWindow = Integer.parseInt(args[i + 1]); break;
                case "--iters": itersOption = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("Received an unknown option " + args[i]
                    + ", expected --rank, --endpoints, --transport, --min-bytes or --max-bytes");
            }
        }
        final List<Endpoint> group = new ArrayList<>();
        for (final String e : endpoints.split(","))
        {
            group.add(Endpoint.parse(e));
        }
        final int ranks = group.size();
        final Transport mode = "udp".equalsIgnoreCase(transport) ? Transport.UDP : Transport.IPC;
        try (Communicator comm = new Communicator(new Communicator.Context()
            .rank(rank)
            .endpoints(group)
            .jobId("bench-allreduce")
            .jobSecret("bench-allreduce-secret-0123456789".getBytes(StandardCharsets.UTF_8))
            .transport(mode)
            .peerTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .ipcTermLengthBytes(ipcTerm)
            .udpTermLengthBytes(udpTerm)
            .udpReceiverWindowBytes(window)
            .smallAllreduceBytes(smallBytes)
            .sharedMemoryWindowBytes(shmWindow)
            .idleStrategy("default".equals(idle) ? null : idleStrategy(idle))
            .driverIdleStrategy(driverIdle == null ? null : idleStrategy(driverIdle))))
        {
            // JIT warm-up: MPI is native, a JVM first runs interpreted; on 2 cores the compiler threads also steal
            // time from the spinning ranks. Same count on every rank.
            final float[] warm = new float[256 * 1024];
            for (int i = 0; i < warmupRounds; i++)
            {
                comm.allreduce(warm, 0, (i & 7) == 7 ? warm.length : 1024, ReduceOp.SUM);
            }
            for (long bytes = minBytes; bytes <= Math.min(maxBytes, 1 << 20); bytes *= 4)
            {
                final float[] buf = new float[(int)(bytes / 4)];
                for (int i = 0; i < 50; i++)
                {
                    comm.allreduce(buf, ReduceOp.SUM);
                }
            }
            for (long bytes = minBytes; bytes <= maxBytes; bytes *= 4)
            {
                final int n = (int)(bytes / 4);
                final float[] buf = new float[n];
                java.util.Arrays.fill(buf, rank + 1);
                // The same timed loop as mpi_allreduce.c (50 operations, 10 from 16 MiB), so both sides' best-of-3
                // means cover windows of the same length: on this VM a 1-2 ms stall every few ms hits a 200-op
                // loop of 4 KiB (0.5 ms) far more often than MPI's 50-op loop. --iters N overrides.
                final int iters = itersOption > 0 ? itersOption : bytes >= (16 << 20) ? 10 : 50;
                final int warmups = bytes >= (16 << 20) ? 3 : 20;
                for (int w = 0; w < warmups; w++)
                {
                    comm.allreduce(buf, ReduceOp.SUM);
                }
                double seconds = Double.MAX_VALUE;
                final long[] opNs = new long[iters * trials];
                for (int trial = 0; trial < trials; trial++)
                {
                    comm.barrier();
                    final long t0 = System.nanoTime();
                    long last = t0;
                    for (int i = 0; i < iters; i++)
                    {
                        comm.allreduce(buf, ReduceOp.SUM);
                        final long now = System.nanoTime();
                        opNs[trial * iters + i] = now - last;
                        last = now;
                    }
                    seconds = Math.min(seconds, (last - t0) / 1e9 / iters);
                }
                java.util.Arrays.sort(opNs);
                final double p50Us = opNs[opNs.length / 2] / 1e3;
                final double p99Us = opNs[(int)(opNs.length * 0.99)] / 1e3;
                final double maxUs = opNs[opNs.length - 1] / 1e3;
                comm.barrier();
                if (rank == 0)
                {
                    System.out.println(String.format(Locale.ROOT,
                        "RESULT transport=%s ranks=%d bytes=%d time_us=%.1f busbw_gbs=%.3f p50_us=%.1f p99_us=%.1f "
                        + "max_us=%.1f", mode.name().toLowerCase(Locale.ROOT), ranks, bytes, seconds * 1e6,
                        2.0 * (ranks - 1) / ranks * bytes / seconds / 1e9, p50Us, p99Us, maxUs));
                    System.out.flush();
                }
            }
        }
    }
}
