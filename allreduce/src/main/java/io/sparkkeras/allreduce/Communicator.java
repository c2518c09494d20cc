package io.sparkkeras.allreduce;

import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One member of a group of {@code N} ranks that reduce float arrays together: Horovod's ring allreduce over Aeron.
 *
 * <p>Built from this rank's number, every member's {@link Endpoint} (exchanged by the caller's rendezvous), a job id
 * and a job secret. The constructor starts an embedded Aeron media driver in this rank's endpoint directory (removed
 * again on {@link #close()}), connects a ring — one publication to rank {@code r+1}, one subscription from rank
 * {@code r-1}, IPC on one host and UDP between hosts — and proves to each neighbour that it holds the job secret.
 * A rank with the wrong job id or secret is refused and the constructor throws on every rank. When every rank runs on
 * this host, allreduce goes through shared-memory windows instead of the ring, with the same bits
 * ({@link Context#sharedMemoryWindowBytes(int)}).
 *
 * <p>Collectives work in place on {@code float[]} or direct {@link FloatBuffer}s and must be called in the same order
 * with the same sizes on every rank. Every wait has a deadline ({@link Context#peerTimeoutNs(long)}): a dead or
 * silent peer makes the call throw {@link PeerTimeoutException} naming the rank, host and operation, after which the
 * communicator is failed and must be closed. Not thread-safe: one application thread calls it; asynchronous
 * operations run in order on one internal thread.
 *
 * <pre>{@code
 * try (Communicator comm = new Communicator(new Communicator.Context()
 *         .rank(rank).endpoints(endpoints).jobId("job-42").jobSecret(secret))) {
 *     comm.allreduce(gradients, ReduceOp.AVERAGE);
 *     comm.broadcast(weights, 0);
 * }
 * }</pre>
 */
public final class Communicator implements AutoCloseable
{
    private static final long CLOSE_BARRIER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final Context ctx;
    private final int rank;
    private final int size;
    private final long peerTimeoutNs;
    private final RingTransport transport;
    private final Ring ring;
    private final SharedWindows windows;
    private final TensorFusion fusion;
    private ExecutorService executor;
    private CompletableFuture<?> asyncTail = CompletableFuture.completedFuture(null);
    private volatile boolean closed;
    /** The first failure of a collective, Errors included: the ring is mid-operation and no later call may run. */
    private volatile Throwable failure;

    /**
     * Starts the transport and joins the ring; returns once every rank has joined.
     *
     * @param ctx options, read once.
     * @throws AllreduceException if the ring cannot be formed within {@link Context#connectTimeoutNs()}.
     */
    public Communicator(final Context ctx)
    {
        try
        {
            ctx.conclude();
        }
        catch (final RuntimeException ex)
        {
            releaseOwnPort(ctx);   // the transport, which lets go of it otherwise, is never made
            throw ex;
        }
        this.ctx = ctx;
        this.rank = ctx.rank();
        this.size = ctx.endpoints().size();
        this.peerTimeoutNs = ctx.peerTimeoutNs();
        final JobAuth auth = new JobAuth(ctx.jobId(), ctx.jobSecret());
        this.transport = new RingTransport(ctx, auth, ctx.chunkFloats());
        SharedWindows shared = null;
        try
        {
            // After the driver started (it empties its directory) and before the join, so that once the barrier
            // below returns every rank's window exists.
            shared = SharedWindows.create(ctx, transport, auth);
            final long deadlineNs = ctx.nanoClock().nanoTime() + ctx.connectTimeoutNs();
            transport.join(deadlineNs, shared == null ? 0 : ctx.sharedMemoryWindowBytes());
            this.ring = new Ring(transport, auth, ctx, shared);
            final long remainingNs = Math.max(1, deadlineNs - ctx.nanoClock().nanoTime());
            if (size > 1)
            {
                ring.barrier(remainingNs);
            }
            if (shared != null)
            {
                shared.connect(ctx.endpoints(), deadlineNs);
            }
            if (size > 1)
            {
                // A rank may fail and close, deleting its window, as soon as it returns: not before every rank has
                // mapped it, or a slower peer waits out the connect timeout for a window that will not come back.
                // Every group runs it, windows or not, so the first collective is #3 in every group.
                ring.barrier(Math.max(1, deadlineNs - ctx.nanoClock().nanoTime()));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // An Error too (a fault mapping a window, out of memory): the driver and its directory must not outlive it.
            CloseHelper.quietCloseAll(shared, transport);
            throw ex;
        }
        this.windows = shared;
        this.fusion = new TensorFusion(this, ctx.fusionThresholdBytes());
    }

    /** @return this member's rank, {@code 0..size()-1}. */
    public int rank()
    {
        return rank;
    }

    /** @return the number of ranks. */
    public int size()
    {
        return size;
    }

    /** @return frames read from the ring that failed the job/token check and were dropped. */
    public long foreignFramesDropped()
    {
        return ring.foreignFramesDropped;
    }

    /** @return how the link to the right neighbour travels: {@code "ipc"} or {@code "udp"}. */
    public String rightTransport()
    {
        return transport.rightIpc ? "ipc" : "udp";
    }

    /**
     * Reduces {@code data} across all ranks in place.
     *
     * @param data the same length on every rank; replaced by the result.
     * @param op   how to combine.
     */
    public void allreduce(final float[] data, final ReduceOp op)
    {
        allreduce(data, 0, data.length, op);
    }

    /**
     * Reduces {@code data[offset, offset + length)} across all ranks in place.
     *
     * @param data   the array.
     * @param offset first element.
     * @param length number of elements, the same on every rank.
     * @param op     how to combine.
     */
    public void allreduce(final float[] data, final int offset, final int length, final ReduceOp op)
    {
        checkRange(data.length, offset, length);
        awaitAsync();
        synchronized (ring)
        {
            guard();
            try
            {
                ring.allreduce(data, offset, 0, length, op, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    /**
     * Reduces the elements between {@code position} and {@code limit} of a direct, native-order buffer in place.
     *
     * @param buffer direct {@link FloatBuffer}; its position and limit are unchanged.
     * @param op     how to combine.
     */
    public void allreduce(final FloatBuffer buffer, final ReduceOp op)
    {
        final long address = address(buffer);
        awaitAsync();
        synchronized (ring)
        {
            guard();
            try
            {
                ring.allreduce(null, 0, address, buffer.remaining(), op, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    /**
     * Reduces many arrays in as few ring passes as possible: they are packed into a fusion buffer of
     * {@link Context#fusionThresholdBytes()} and reduced together, as Horovod's tensor fusion does. An array larger
     * than the threshold is reduced on its own, in place.
     *
     * @param tensors arrays, the same lengths in the same order on every rank.
     * @param op      how to combine.
     */
    public void allreduce(final float[][] tensors, final ReduceOp op)
    {
        fusion.allreduce(tensors, op);
    }

    /**
     * Starts {@link #allreduce(float[], ReduceOp)} on this communicator's thread, so the caller can compute while
     * it runs. Do not touch {@code data} until the future completes.
     *
     * @param data the array.
     * @param op   how to combine.
     * @return completes with {@code data} once reduced, or exceptionally with an {@link AllreduceException}.
     */
    public CompletableFuture<float[]> allreduceAsync(final float[] data, final ReduceOp op)
    {
        return submit(() ->
        {
            allreduceNow(data, op);
            return data;
        });
    }

    /**
     * Asynchronous {@link #allreduce(FloatBuffer, ReduceOp)}.
     *
     * @param buffer direct native-order buffer.
     * @param op     how to combine.
     * @return completes with {@code buffer} once reduced.
     */
    public CompletableFuture<FloatBuffer> allreduceAsync(final FloatBuffer buffer, final ReduceOp op)
    {
        final long address = address(buffer);
        final int length = buffer.remaining();
        return submit(() ->
        {
            synchronized (ring)
            {
                guard();
                try
                {
                    ring.allreduce(null, 0, address, length, op, peerTimeoutNs);
                }
                catch (final RuntimeException | Error ex)
                {
                    fail(ex);
                    throw ex;
                }
            }
            return buffer;
        });
    }

    /**
     * Asynchronous fused {@link #allreduce(float[][], ReduceOp)}.
     *
     * @param tensors arrays.
     * @param op      how to combine.
     * @return completes with {@code tensors} once all are reduced.
     */
    public CompletableFuture<float[][]> allreduceAsync(final float[][] tensors, final ReduceOp op)
    {
        return submit(() ->
        {
            fusion.allreduceNow(tensors, op);
            return tensors;
        });
    }

    /**
     * Copies {@code data} from rank {@code root} to every rank, in place.
     *
     * @param data the same length on every rank.
     * @param root the rank whose values everyone receives.
     */
    public void broadcast(final float[] data, final int root)
    {
        checkRoot(root);
        awaitAsync();
        synchronized (ring)
        {
            guard();
            try
            {
                ring.broadcast(data, 0, 0, data.length, root, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    /**
     * Copies the remaining elements of a direct buffer from rank {@code root} to every rank.
     *
     * @param buffer direct native-order buffer, the same remaining length on every rank.
     * @param root   the source rank.
     */
    public void broadcast(final FloatBuffer buffer, final int root)
    {
        checkRoot(root);
        final long address = address(buffer);
        awaitAsync();
        synchronized (ring)
        {
            guard();
            try
            {
                ring.broadcast(null, 0, address, buffer.remaining(), root, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    /**
     * Gathers one small payload from every rank.
     *
     * @param payload this rank's bytes (any length up to the publication's largest message less 32 bytes).
     * @return {@code result[i]} is rank {@code i}'s payload; the same on every rank.
     */
    public byte[][] allgather(final byte[] payload)
    {
        awaitAsync();
        synchronized (ring)
        {
            guard();
            if (size > 1 && payload.length > transport.publication.maxMessageLength() - Frame.HEADER_LENGTH)
            {
                throw new IllegalArgumentException("Received an invalid value for `payload`, expected at most "
                    + (transport.publication.maxMessageLength() - Frame.HEADER_LENGTH) + " bytes. Received: "
                    + "payload.length=" + payload.length);
            }
            try
            {
                return ring.allgather(payload, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    /** Returns once every rank has called {@code barrier()}. */
    public void barrier()
    {
        awaitAsync();
        synchronized (ring)
        {
            guard();
            try
            {
                ring.barrier(peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    void allreduceNow(final float[] data, final ReduceOp op)
    {
        synchronized (ring)
        {
            guard();
            try
            {
                ring.allreduce(data, 0, 0, data.length, op, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    void allreduceFused(final float[] buffer, final int length, final ReduceOp op)
    {
        synchronized (ring)
        {
            guard();
            try
            {
                ring.allreduce(buffer, 0, 0, length, op, peerTimeoutNs);
            }
            catch (final RuntimeException | Error ex)
            {
                fail(ex);
                throw ex;
            }
        }
    }

    void awaitAsync()
    {
        final CompletableFuture<?> tail = asyncTail;
        if (!tail.isDone())
        {
            try
            {
                tail.join();
            }
            catch (final RuntimeException ignore)
            {
                // the failure is recorded and rethrown by guard()
            }
        }
    }

    private <T> CompletableFuture<T> submit(final Supplier<T> task)
    {
        guard();
        if (executor == null)
        {
            executor = Executors.newSingleThreadExecutor(r ->
            {
                final Thread thread = new Thread(r, "allreduce-async-r" + rank);
                thread.setDaemon(true);
                return thread;
            });
        }
        final CompletableFuture<T> future = CompletableFuture.supplyAsync(task, executor);
        asyncTail = future;
        return future;
    }

    private void guard()
    {
        if (closed)
        {
            throw new IllegalStateException("Communicator rank " + rank + " is closed");
        }
        final Throwable failed = failure;
        if (failed != null)
        {
            throw new IllegalStateException("Communicator rank " + rank + " failed earlier and must be closed: "
                + failed.getMessage(), failed);
        }
    }

    private void fail(final Throwable ex)
    {
        if (failure == null)
        {
            failure = ex;
        }
    }

    /** Lets go of the UDP port held for this rank's endpoint ({@link Endpoint#local}), if the options name one. */
    private static void releaseOwnPort(final Context ctx)
    {
        final List<Endpoint> endpoints = ctx.endpoints();
        final int rank = ctx.rank();
        if (endpoints != null && rank >= 0 && rank < endpoints.size() && endpoints.get(rank) != null)
        {
            Endpoint.releaseHeldPort(endpoints.get(rank).port());
        }
    }

    private void checkRange(final int arrayLength, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > arrayLength - length)
        {
            throw new IndexOutOfBoundsException("Received an invalid range, expected 0 <= offset <= offset + length"
                + " <= " + arrayLength + ". Received: offset=" + offset + ", length=" + length);
        }
    }

    private void checkRoot(final int root)
    {
        if (root < 0 || root >= size)
        {
            throw new IllegalArgumentException("Received an invalid value for `root`, expected 0.." + (size - 1)
                + ". Received: root=" + root);
        }
    }

    private static long address(final FloatBuffer buffer)
    {
        if (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder())
        {
            throw new IllegalArgumentException("Received an invalid `buffer`, expected a direct FloatBuffer in native "
                + "order. Received: direct=" + buffer.isDirect() + ", order=" + buffer.order());
        }
        return UnsafeApi.getLong(buffer, BufferUtil.BYTE_BUFFER_ADDRESS_FIELD_OFFSET) + buffer.position() * 4L;
    }

    /**
     * Stops the asynchronous thread, then closes the publication, subscription, Aeron clients and embedded driver
     * and deletes the driver directory. Idempotent. Waits for an operation in progress on another thread to end
     * (at most its timeout).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (executor != null)
        {
            executor.shutdown();
            try
            {
                executor.awaitTermination(peerTimeoutNs + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (ring)
        {
            try
            {
                if (failure == null && size > 1 && transport.ringUsesUdp)
                {
                    // Over UDP a rank's last frames live only in its own driver until sent: a closing barrier makes
                    // sure every rank has received everything before any driver stops.
                    try
                    {
                        ring.barrier(Math.min(peerTimeoutNs, CLOSE_BARRIER_TIMEOUT_NS));
                    }
                    catch (final RuntimeException ignore)
                    {
                        // a peer already left or died; close anyway
                    }
                }
            }
            finally
            {
                CloseHelper.quietClose(windows);
                CloseHelper.close(transport);
            }
        }
    }

    /**
     * Options for a {@link Communicator}, read once by its constructor. Setters return {@code this}; getters share
     * the name (Aeron's style).
     */
    public static final class Context
    {
        /** Most ranks in one group: the 16-bit step field of the wire header holds 2(N-1) steps. */
        public static final int MAX_RANKS = 16384;

        /**
         * Default of {@link #smallAllreduceBytes(int)}: 4 KiB. Measured on 2 ranks (2 shared cores, median time per
         * operation): at 4 KiB over UDP 9.5-14.5 against the ring's 16.5 us; over IPC no difference the noise lets us
         * see (1.7-5.3 against 2.2-6.9 us over 6 runs each); from 16 KiB on slower than the ring (IPC 64 KiB: 19-29
         * against 13-20 us), as each rank then reduces the whole array instead of half of it.
         */
        public static final int DEFAULT_SMALL_ALLREDUCE_BYTES = 4 << 10;

        /**
         * Default of {@link #sharedMemoryWindowBytes(int)}: 512 KiB. Measured on 2 ranks (2 shared cores), windows of
         * 256 KiB to 2 MiB were equal at 1-64 MiB and the smallest best below (16 KiB: 2.3 against 3.8 us with 1 or
         * 2 MiB; 64 KiB: 7 us against 11-18 with 16 MiB): a window that stays in cache beats a large one.
         */
        public static final int DEFAULT_SHARED_MEMORY_WINDOW_BYTES = 512 << 10;

        private int rank = -1;
        private List<Endpoint> endpoints;
        private String jobId;
        private byte[] jobSecret;
        private Transport transport = Transport.AUTO;
        private long peerTimeoutNs = TimeUnit.SECONDS.toNanos(30);
        private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(60);
        private int chunkSizeBytes;
        private int mtuLength = 65504;
        private int ipcTermLengthBytes = 16 << 20;
        private int udpTermLengthBytes = 64 << 20;
        private int udpReceiverWindowBytes = 2 << 20;
        private int fusionThresholdBytes = 64 << 20;
        private int smallAllreduceBytes = DEFAULT_SMALL_ALLREDUCE_BYTES;
        private int sharedMemoryWindowBytes = DEFAULT_SHARED_MEMORY_WINDOW_BYTES;
        private boolean launchEmbeddedDriver = true;
        private boolean invokeDriverInline = true;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private Supplier<IdleStrategy> idleStrategySupplier;
        private Supplier<IdleStrategy> driverIdleStrategySupplier;

        /** @param rank this member, {@code 0..N-1}. Required. @return this */
        public Context rank(final int rank)
        {
            this.rank = rank;
            return this;
        }

        /** @return this member's rank. */
        public int rank()
        {
            return rank;
        }

        /** @param endpoints every member's endpoint in rank order; the same list on every rank. Required. @return this */
        public Context endpoints(final List<Endpoint> endpoints)
        {
            this.endpoints = endpoints == null ? null : List.copyOf(endpoints);
            return this;
        }

        /** @return every member's endpoint in rank order. */
        public List<Endpoint> endpoints()
        {
            return endpoints;
        }

        /** @param jobId names the job; ranks of other jobs are refused. Required. @return this */
        public Context jobId(final String jobId)
        {
            this.jobId = jobId;
            return this;
        }

        /** @return the job id. */
        public String jobId()
        {
            return jobId;
        }

        /** @param jobSecret shared by the job's ranks, at least 16 bytes. Required. @return this */
        public Context jobSecret(final byte[] jobSecret)
        {
            this.jobSecret = jobSecret == null ? null : jobSecret.clone();
            return this;
        }

        byte[] jobSecret()
        {
            return jobSecret;
        }

        /** @param transport IPC/UDP choice. Defaults to {@code AUTO}. @return this */
        public Context transport(final Transport transport)
        {
            this.transport = transport;
            return this;
        }

        /** @return the transport choice. */
        public Transport transport()
        {
            return transport;
        }

        /** @param peerTimeoutNs longest a collective may go without progress. Defaults to 30 s. @return this */
        public Context peerTimeoutNs(final long peerTimeoutNs)
        {
            this.peerTimeoutNs = peerTimeoutNs;
            return this;
        }

        /** @return the no-progress timeout of a collective. */
        public long peerTimeoutNs()
        {
            return peerTimeoutNs;
        }

        /** @param connectTimeoutNs deadline for the whole join. Defaults to 60 s. @return this */
        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        /** @return the join deadline. */
        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        /**
         * @param chunkSizeBytes payload bytes per ring message, a multiple of 4; 0 picks the largest that fits one
         *                       MTU ({@code mtuLength - 64}). Defaults to {@code 0}. Must match on every rank.
         * @return this
         */
        public Context chunkSizeBytes(final int chunkSizeBytes)
        {
            this.chunkSizeBytes = chunkSizeBytes;
            return this;
        }

        /** @return the configured chunk size, 0 for automatic. */
        public int chunkSizeBytes()
        {
            return chunkSizeBytes;
        }

        /** @param mtuLength Aeron MTU for IPC and UDP, 4096..65504, multiple of 32. Defaults to {@code 65504}. @return this */
        public Context mtuLength(final int mtuLength)
        {
            this.mtuLength = mtuLength;
            return this;
        }

        /** @return the MTU. */
        public int mtuLength()
        {
            return mtuLength;
        }

        /** @param bytes IPC term length, power of two 64 KiB..1 GiB. Defaults to 16 MiB. @return this */
        public Context ipcTermLengthBytes(final int bytes)
        {
            this.ipcTermLengthBytes = bytes;
            return this;
        }

        /** @return the IPC term length. */
        public int ipcTermLengthBytes()
        {
            return ipcTermLengthBytes;
        }

        /** @param bytes UDP term length, power of two 64 KiB..1 GiB. Defaults to 64 MiB. @return this */
        public Context udpTermLengthBytes(final int bytes)
        {
            this.udpTermLengthBytes = bytes;
            return this;
        }

        /** @return the UDP term length. */
        public int udpTermLengthBytes()
        {
            return udpTermLengthBytes;
        }

        /** @param bytes UDP receiver window and socket buffers of the embedded driver. Defaults to 2 MiB. @return this */
        public Context udpReceiverWindowBytes(final int bytes)
        {
            this.udpReceiverWindowBytes = bytes;
            return this;
        }

        /** @return the UDP receiver window. */
        public int udpReceiverWindowBytes()
        {
            return udpReceiverWindowBytes;
        }

        /** @param bytes fusion buffer size for {@link #allreduce(float[][], ReduceOp)}. Defaults to 64 MiB. @return this */
        public Context fusionThresholdBytes(final int bytes)
        {
            this.fusionThresholdBytes = bytes;
            return this;
        }

        /** @return the fusion threshold. */
        public int fusionThresholdBytes()
        {
            return fusionThresholdBytes;
        }

        /**
         * @param bytes an allreduce of {@code n} floats takes the small-message path when {@code (N-1) * 4n <= bytes}:
         *              every rank's whole array goes round the ring ({@code N-1} hops instead of the ring's
         *              {@code 2(N-1)}) and each rank reduces the {@code N} arrays itself, in rank order. It sends
         *              {@code N/2} times the bytes of the ring, so it pays for small arrays only. This many bytes of
         *              staging are allocated at construction. 0 turns the path off. Must match on every rank (checked
         *              at join). Defaults to {@code 4096} (4 KiB; see {@link #DEFAULT_SMALL_ALLREDUCE_BYTES}).
         * @return this
         */
        public Context smallAllreduceBytes(final int bytes)
        {
            this.smallAllreduceBytes = bytes;
            return this;
        }

        /** @return the small-message allreduce threshold in bytes, 0 if off. */
        public int smallAllreduceBytes()
        {
            return smallAllreduceBytes;
        }

        /**
         * @param bytes size of each rank's shared-memory window. When every rank runs on this host (all links
         *              IPC), every allreduce goes through these windows instead of the ring: each rank copies what the
         *              others fold into its own window once and reads theirs in place (see the module README). Same
         *              result to the bit as the ring. Arrays longer than the window go in pieces. The file is written
         *              out when the communicator starts, so each rank holds this much shared memory. 0 turns the path
         *              off. Must match on every rank (checked at join). Defaults to
         *              {@link #DEFAULT_SHARED_MEMORY_WINDOW_BYTES}.
         * @return this
         */
        public Context sharedMemoryWindowBytes(final int bytes)
        {
            this.sharedMemoryWindowBytes = bytes;
            return this;
        }

        /** @return the shared-memory window size in bytes, 0 if the path is off. */
        public int sharedMemoryWindowBytes()
        {
            return sharedMemoryWindowBytes;
        }

        /**
         * @param launch true to start an embedded driver in this rank's endpoint directory; false to use an already
         *               running driver there. Defaults to {@code true}.
         * @return this
         */
        public Context launchEmbeddedDriver(final boolean launch)
        {
            this.launchEmbeddedDriver = launch;
            return this;
        }

        /**
         * @param inline on rings with a UDP link, run the embedded driver's duty cycle on the thread doing the
         *               collective (Aeron's INVOKER threading) rather than on a driver thread of its own. Defaults
         *               to {@code true}.
         * @return this
         */
        public Context invokeDriverInline(final boolean inline)
        {
            this.invokeDriverInline = inline;
            return this;
        }

        /** @return whether a UDP ring's embedded driver runs inline. */
        public boolean invokeDriverInline()
        {
            return invokeDriverInline;
        }

        /** @return whether an embedded driver is launched. */
        public boolean launchEmbeddedDriver()
        {
            return launchEmbeddedDriver;
        }

        /** @param clock time source for every deadline. Defaults to the system clock. @return this */
        public Context nanoClock(final NanoClock clock)
        {
            this.nanoClock = clock;
            return this;
        }

        /** @return the clock. */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * @param supplier idle strategy for the caller's waits. Defaults to a backoff that spins long, or yields
         *                 at once when this host has more ranks than cores or a UDP ring's driver runs on its own
         *                 thread.
         * @return this
         */
        public Context idleStrategy(final Supplier<IdleStrategy> supplier)
        {
            this.idleStrategySupplier = supplier;
            return this;
        }

        /**
         * @param supplier idle strategy of the embedded driver's thread. Defaults to sleeping 1 ms when both ring
         *                 links are IPC (the driver is off the data path) and a short spin/yield/park backoff with UDP.
         * @return this
         */
        public Context driverIdleStrategy(final Supplier<IdleStrategy> supplier)
        {
            this.driverIdleStrategySupplier = supplier;
            return this;
        }

        IdleStrategy newIdleStrategy()
        {
            if (idleStrategySupplier != null)
            {
                return idleStrategySupplier.get();
            }
            // IPC, or UDP with the driver run inline: the bytes arrive without another thread of ours, so spin long
            // before yielding. UDP with a driver thread: yield early to leave it the core (small machines starve it).
            // More ranks on this host than cores: a spinning rank holds the core its peer needs, so yield at once.
            int localRanks = 0;
            for (final Endpoint endpoint : endpoints)
            {
                localRanks += endpoint.host().equals(endpoints.get(rank).host()) ? 1 : 0;
            }
            if (localRanks > Runtime.getRuntime().availableProcessors() || (ringUsesUdp() && !invokeDriverInline))
            {
                return new BackoffIdleStrategy(10, 5_000, 1_000, 20_000);
            }
            return new BackoffIdleStrategy(20_000, 1_000, 1_000, 50_000);
        }

        boolean ringUsesUdp()
        {
            if (transport == Transport.UDP)
            {
                return endpoints.size() > 1;
            }
            if (transport == Transport.IPC)
            {
                return false;
            }
            for (int i = 0; i < endpoints.size(); i++)
            {
                if (!endpoints.get(i).host().equals(endpoints.get((i + 1) % endpoints.size()).host()))
                {
                    return true;
                }
            }
            return false;
        }

        IdleStrategy newDriverIdleStrategy(final boolean udp)
        {
            if (driverIdleStrategySupplier != null)
            {
                return driverIdleStrategySupplier.get();
            }
            // IPC: the driver only moves publisher limits and cleans terms, off the data path; waking it rarely keeps
            // it from preempting the spinning ranks on small machines. UDP: the driver sends and receives the data.
            return udp ? new BackoffIdleStrategy(50, 2_000, 1_000, 20_000) : new SleepingMillisIdleStrategy(1);
        }

        int chunkFloats()
        {
            final int max = mtuLength - 64;
            return (chunkSizeBytes == 0 ? max : Math.min(chunkSizeBytes, max)) / 4;
        }

        void conclude()
        {
            if (endpoints == null || endpoints.isEmpty() || endpoints.size() > MAX_RANKS)
            {
                throw new IllegalArgumentException("Received an invalid value for `endpoints`, expected 1.." + MAX_RANKS
                    + " "
                    + "endpoints. Received: endpoints=" + endpoints);
            }
            if (rank < 0 || rank >= endpoints.size())
            {
                throw new IllegalArgumentException("Received an invalid value for `rank`, expected 0.."
                    + (endpoints.size() - 1) + ". Received: rank=" + rank);
            }
            if (jobId == null || jobId.isEmpty())
            {
                throw new IllegalArgumentException("Received an invalid value for `jobId`, expected a non-empty "
                    + "string. Received: jobId=" + jobId);
            }
            if (jobSecret == null || jobSecret.length < 16)
            {
                throw new IllegalArgumentException("Received an invalid value for `jobSecret`, expected at least 16 "
                    + "bytes. Received: jobSecret.length=" + (jobSecret == null ? "null" : jobSecret.length));
            }
            if (peerTimeoutNs <= 0 || connectTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("Received an invalid timeout, expected > 0. Received: "
                    + "peerTimeoutNs=" + peerTimeoutNs + ", connectTimeoutNs=" + connectTimeoutNs);
            }
            if (mtuLength < 4096 || mtuLength > 65504 || (mtuLength & 31) != 0)
            {
                throw new IllegalArgumentException("Received an invalid value for `mtuLength`, expected a multiple of "
                    + "32 in 4096..65504. Received: mtuLength=" + mtuLength);
            }
            if (chunkSizeBytes < 0 || (chunkSizeBytes & 3) != 0 || (chunkSizeBytes > 0 && chunkSizeBytes < 64))
            {
                throw new IllegalArgumentException("Received an invalid value for `chunkSizeBytes`, expected 0 or a "
                    + "multiple of 4 >= 64. Received: chunkSizeBytes=" + chunkSizeBytes);
            }
            checkTerm("ipcTermLengthBytes", ipcTermLengthBytes);
            checkTerm("udpTermLengthBytes", udpTermLengthBytes);
            if (fusionThresholdBytes < 4)
            {
                throw new IllegalArgumentException("Received an invalid value for `fusionThresholdBytes`, expected "
                    + ">= 4. Received: fusionThresholdBytes=" + fusionThresholdBytes);
            }
            if (smallAllreduceBytes < 0 || smallAllreduceBytes > (256 << 20))
            {
                throw new IllegalArgumentException("Received an invalid value for `smallAllreduceBytes`, expected "
                    + "0..268435456 (0 turns the small-message path off). Received: smallAllreduceBytes="
                    + smallAllreduceBytes);
            }
            if (sharedMemoryWindowBytes != 0 && (sharedMemoryWindowBytes < 65536
                || sharedMemoryWindowBytes > (1 << 30) || (sharedMemoryWindowBytes & 4095) != 0))
            {
                throw new IllegalArgumentException("Received an invalid value for `sharedMemoryWindowBytes`, "
                    + "expected 0 (off) or a multiple of 4096 in 64 KiB..1 GiB. Received: sharedMemoryWindowBytes="
                    + sharedMemoryWindowBytes);
            }
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
            {
                throw new IllegalStateException("allreduce needs a little-endian CPU; this one is "
                    + ByteOrder.nativeOrder());
            }
            if (launchEmbeddedDriver)
            {
                final Endpoint self = endpoints.get(rank);
                final List<Integer> clashes = new ArrayList<>();
                for (int i = 0; i < endpoints.size(); i++)
                {
                    final Endpoint other = endpoints.get(i);
                    if (i != rank && other.host().equals(self.host())
                        && other.ipcDirectory().equals(self.ipcDirectory()))
                    {
                        clashes.add(i);
                    }
                }
                if (!clashes.isEmpty())
                {
                    throw new IllegalArgumentException("Received endpoints sharing the driver directory of rank "
                        + rank + " with an embedded driver, expected one directory per rank (or "
                        + "launchEmbeddedDriver(false) with an external driver). Received: ranks " + clashes
                        + " also use " + self.ipcDirectory());
                }
            }
        }

        private static void checkTerm(final String name, final int bytes)
        {
            if (bytes < 65536 || bytes > (1 << 30) || Integer.bitCount(bytes) != 1)
            {
                throw new IllegalArgumentException("Received an invalid value for `" + name + "`, expected a power "
                    + "of two in 64 KiB..1 GiB. Received: " + name + "=" + bytes);
            }
        }
    }
}
