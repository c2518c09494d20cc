package io.sparkkeras.allreduce;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A synchronous allreduce allocates nothing once warm (style guide rule 13), measured per thread: through the
 * shared-memory windows and, with them off, through the ring.
 */
class HotPathAllocationTest
{
    @ParameterizedTest(name = "sharedMemoryWindowBytes={0}")
    @ValueSource(ints = {Communicator.Context.DEFAULT_SHARED_MEMORY_WINDOW_BYTES, 0})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void allreduceAllocatesNothingOnceWarm(final int windowBytes) throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] perRank = new long[2];
        RankGroup.run(2, Transport.IPC, ctx -> ctx.sharedMemoryWindowBytes(windowBytes), comm ->
        {
            final float[] a = new float[3 * 16360 + 5];
            final FloatBuffer fb = ByteBuffer.allocateDirect(4 * 1000).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < 300; i++)
            {
                comm.allreduce(a, ReduceOp.SUM);
                comm.allreduce(fb, ReduceOp.MAX);
            }
            final long id = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 500; i++)
            {
                comm.allreduce(a, ReduceOp.SUM);
                comm.allreduce(fb, ReduceOp.MAX);
            }
            perRank[comm.rank()] = threads.getThreadAllocatedBytes(id) - before;
            comm.barrier();
        });
        for (int r = 0; r < 2; r++)
        {
            // 1000 collectives; allow a little slack for one-off JIT deoptimisation allocations.
            assertTrue(perRank[r] < 4096, "rank " + r + " allocated " + perRank[r] + " bytes in 1000 allreduces");
        }
    }
}
