package io.sparkkeras.allreduce;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.io.File;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Aeron side of one rank: its embedded driver (or a connection to an external one), one exclusive publication
 * to the right neighbour and one subscription from the left neighbour, and the authenticated HELLO that pins the
 * left neighbour's image. Owned by the communicator; used by one thread at a time.
 */
final class RingTransport implements AutoCloseable
{
    private static final long UDP_CLOSE_LINGER_MS = 50;

    final int rank;
    final int size;
    final int left;
    final int right;
    final String host;
    final String leftHost;
    final String rightHost;
    final int chunkFloats;
    /** {@link Communicator.Context#smallAllreduceBytes()}, the same on every rank (checked by the HELLO). */
    final int smallAllreduceBytes;
    final boolean leftIpc;
    final boolean rightIpc;
    /** Some link of the ring (not only this rank's) is UDP; every rank computes the same answer. */
    final boolean ringUsesUdp;

    private final JobAuth auth;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final File driverDirectory;
    private MediaDriver driver;
    private AgentInvoker driverInvoker;
    private final ReentrantLock driverLock = new ReentrantLock();
    private Thread driverKeeper;
    private volatile boolean keeperRunning;
    private Aeron ownClient;
    private Aeron rightClient;
    ExclusivePublication publication;
    Subscription subscription;
    Image image;
    volatile Throwable transportError;

    private final HelloHandler helloHandler = new HelloHandler();
    private String refusal;
    private int pinnedSessionId;
    private boolean pinned;
    /** This rank's shared-memory window (0 without one): neighbours must agree, checked in the HELLO. */
    private int windowBytes;

    RingTransport(final Communicator.Context ctx, final JobAuth auth, final int chunkFloats)
    {
        final List<Endpoint> endpoints = ctx.endpoints();
        this.rank = ctx.rank();
        this.size = endpoints.size();
        this.left = (rank + size - 1) % size;
        this.right = (rank + 1) % size;
        this.auth = auth;
        this.clock = ctx.nanoClock();
        this.idle = ctx.newIdleStrategy();
        this.chunkFloats = chunkFloats;
        this.smallAllreduceBytes = ctx.smallAllreduceBytes();
        final Endpoint self = endpoints.get(rank);
        final Endpoint leftEndpoint = endpoints.get(left);
        final Endpoint rightEndpoint = endpoints.get(right);
        this.host = self.host();
        this.leftHost = leftEndpoint.host();
        this.rightHost = rightEndpoint.host();
        this.leftIpc = useIpc(ctx.transport(), self, leftEndpoint);
        this.rightIpc = useIpc(ctx.transport(), self, rightEndpoint);
        this.driverDirectory = new File(self.ipcDirectory());
        this.ringUsesUdp = ctx.ringUsesUdp();

        if (size == 1)
        {
            Endpoint.releaseHeldPort(self.port());
            return;
        }
        try
        {
            if (ctx.launchEmbeddedDriver())
            {
                DriverDirectories.reapStale(driverDirectory.getParentFile());
                final boolean invoker = ringUsesUdp && ctx.invokeDriverInline();
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(self.ipcDirectory())
                    .threadingMode(invoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
                    .sharedIdleStrategy(ctx.newDriverIdleStrategy(!leftIpc || !rightIpc))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .termBufferSparseFile(true)
                    .initialWindowLength(ctx.udpReceiverWindowBytes())
                    .socketRcvbufLength(ctx.udpReceiverWindowBytes())
                    .socketSndbufLength(ctx.udpReceiverWindowBytes())
                    .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(10))
                    .errorHandler(this::onTransportError));
                if (invoker)
                {
                    startDriverKeeper(driver.sharedAgentInvoker());
                }
            }
            final long driverTimeoutMs = Math.max(1000, TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()));
            ownClient = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(self.ipcDirectory())
                .driverTimeoutMs(driverTimeoutMs)
                .errorHandler(this::onTransportError)
                .subscriberErrorHandler(this::onTransportError));

            final int ownStream = JobAuth.streamId(auth.jobHash, rank);
            // Our own hold on the port goes just before the driver binds it.
            Endpoint.releaseHeldPort(self.port());
            subscription = ownClient.addSubscription(leftIpc ? "aeron:ipc" :
                "aeron:udp?endpoint=" + self.host() + ":" + self.port(), ownStream);

            final int rightStream = JobAuth.streamId(auth.jobHash, right);
            final String termLength = "|term-length=" + (rightIpc ? ctx.ipcTermLengthBytes() : ctx.udpTermLengthBytes());
            final String mtu = "|mtu=" + ctx.mtuLength();
            final Aeron pubClient;
            if (rightIpc && !rightEndpoint.ipcDirectory().equals(self.ipcDirectory()))
            {
                rightClient = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(rightEndpoint.ipcDirectory())
                    .driverTimeoutMs(driverTimeoutMs)
                    .errorHandler(this::onTransportError)
                    .subscriberErrorHandler(this::onTransportError));
                pubClient = rightClient;
            }
            else
            {
                pubClient = ownClient;
            }
            publication = pubClient.addExclusivePublication(rightIpc ? "aeron:ipc?" + termLength.substring(1) + mtu :
                "aeron:udp?endpoint=" + rightEndpoint.host() + ":" + rightEndpoint.port() + termLength + mtu,
                rightStream);
        }
        catch (final RuntimeException | Error ex)
        {
            Endpoint.releaseHeldPort(self.port());
            close();
            if (ex instanceof Error)
            {
                throw ex;   // out of memory and the like: as it is, once the driver and its directory are gone
            }
            throw new AllreduceException("rank " + rank + " on " + host + " could not start its Aeron transport "
                + "(driver directory " + driverDirectory + "): " + ex, -1, host, "join", ex);
        }
    }

    /**
     * UDP rings run the embedded driver in {@link ThreadingMode#INVOKER} mode: the thread running a collective also
     * runs the driver's duty cycle (send, receive, status messages) in its own loop, so no bytes wait for another
     * thread to be scheduled. Between collectives a daemon keeper thread runs it instead, never both at once.
     */
    private void startDriverKeeper(final AgentInvoker invoker)
    {
        driverInvoker = invoker;
        keeperRunning = true;
        driverKeeper = new Thread(() ->
        {
            final IdleStrategy keeperIdle = new BackoffIdleStrategy(10, 100, 10_000, 200_000);
            while (keeperRunning)
            {
                int work = 0;
                if (driverLock.tryLock())
                {
                    try
                    {
                        work = invoker.invoke();
                    }
                    catch (final RuntimeException | Error ex)
                    {
                        onTransportError(ex);   // recorded as Aeron's own errors are; the keeper goes on
                    }
                    finally
                    {
                        driverLock.unlock();
                    }
                }
                keeperIdle.idle(work);
            }
        }, "allreduce-driver-r" + rank);
        driverKeeper.setDaemon(true);
        driverKeeper.start();
    }

    /** Takes the driver's duty cycle from the keeper for the length of a collective (no-op without invoker). */
    void acquireDriver()
    {
        if (driverInvoker != null)
        {
            driverLock.lock();
        }
    }

    void releaseDriver()
    {
        if (driverInvoker != null)
        {
            driverLock.unlock();
        }
    }

    /** @return the driver's work count; call only between {@link #acquireDriver()} and {@link #releaseDriver()}. */
    int invokeDriver()
    {
        return driverInvoker == null ? 0 : driverInvoker.invoke();
    }

    private void stopDriverKeeper()
    {
        keeperRunning = false;
        if (driverKeeper != null)
        {
            try
            {
                driverKeeper.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            driverKeeper = null;
        }
    }

    private static boolean useIpc(final Transport transport, final Endpoint self, final Endpoint peer)
    {
        switch (transport)
        {
            case IPC: return true;
            case UDP: return false;
            default: return self.host().equals(peer.host());
        }
    }

    private void onTransportError(final Throwable error)
    {
        if (transportError == null)
        {
            transportError = error;
        }
    }

    /**
     * Sends this rank's HELLO to the right and waits for an authenticated HELLO from the left, then pins the left
     * neighbour's image: frames from any other session on this stream are never read.
     */
    void join(final long deadlineNs, final int windowBytes)
    {
        this.windowBytes = windowBytes;
        if (size == 1)
        {
            return;
        }
        final ExpandableArrayBuffer hello = new ExpandableArrayBuffer(Frame.HELLO_LENGTH);
        final long nonce = ThreadLocalRandom.current().nextLong();
        hello.putByte(Frame.VERSION_OFFSET, Frame.VERSION);
        hello.putByte(Frame.TYPE_OFFSET, Frame.TYPE_HELLO);
        hello.putShort(Frame.SOURCE_OFFSET, (short)rank);
        hello.putInt(Frame.SEQ_OFFSET, 0);
        hello.putLong(Frame.JOB_OFFSET, auth.jobHash);
        hello.putLong(Frame.TOKEN_OFFSET, 0L);
        hello.putInt(Frame.HELLO_DEST_OFFSET, right);
        hello.putInt(Frame.HELLO_SIZE_OFFSET, size);
        hello.putInt(Frame.HELLO_CHUNK_OFFSET, chunkFloats);
        hello.putInt(Frame.HELLO_SMALL_OFFSET, smallAllreduceBytes);
        hello.putInt(Frame.HELLO_WINDOW_OFFSET, windowBytes);
        hello.putLong(Frame.HELLO_NONCE_OFFSET, nonce);
        hello.putBytes(Frame.HELLO_TAG_OFFSET, auth.helloTag(rank, right, size, chunkFloats, smallAllreduceBytes,
            windowBytes, nonce));

        boolean sent = false;
        long lastResult = 0;
        while (!sent || !pinned)
        {
            int work = 0;
            if (!sent)
            {
                lastResult = publication.offer(hello, 0, Frame.HELLO_LENGTH);
                if (lastResult > 0)
                {
                    sent = true;
                    work++;
                }
                else if (lastResult == io.aeron.Publication.CLOSED
                    || lastResult == io.aeron.Publication.MAX_POSITION_EXCEEDED)
                {
                    throw failure("join", right, rightHost, "offer of HELLO failed: "
                        + io.aeron.Publication.errorString(lastResult), null);
                }
            }
            if (!pinned)
            {
                work += subscription.controlledPoll(helloHandler, 16);
            }
            if (pinned && image == null)
            {
                image = subscription.imageBySessionId(pinnedSessionId);
            }
            if (work == 0 && clock.nanoTime() - deadlineNs > 0)
            {
                final String why;
                if (!sent)
                {
                    why = "its publication to rank " + right + " (" + rightHost + ", " + (rightIpc ? "ipc" : "udp")
                        + ") never connected: " + io.aeron.Publication.errorString(lastResult)
                        + " - is rank " + right + " running with the same job id?";
                    throw new PeerTimeoutException(message("join", right, rightHost, why), right, rightHost, "join");
                }
                why = refusal != null ? refusal : "no authenticated HELLO arrived from rank " + left;
                throw new PeerTimeoutException(message("join", left, leftHost, why), left, leftHost, "join");
            }
            idle.idle(work);
        }
        idle.reset();
    }

    AllreduceException failure(
        final String operation, final int peer, final String peerHost, final String why, final Throwable cause)
    {
        return new AllreduceException(message(operation, peer, peerHost, why), peer, peerHost, operation, cause);
    }

    String message(final String operation, final int peer, final String peerHost, final String why)
    {
        final Throwable error = transportError;
        // An error Aeron reported on its own threads (a driver that lost its clients, a keeper that failed) is often
        // why a peer went silent: it goes with the first failure that follows.
        return "rank " + rank + "/" + size + " on " + host + ", op=" + operation + ", peer rank " + peer + " on "
            + peerHost + ": " + why + (error == null ? "" : "; first transport error reported: " + error);
    }

    private final class HelloHandler implements ControlledFragmentHandler
    {
        private final byte[] tag = new byte[32];

        @Override
        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (length < Frame.HELLO_LENGTH || buffer.getByte(offset + Frame.VERSION_OFFSET) != Frame.VERSION
                || buffer.getByte(offset + Frame.TYPE_OFFSET) != Frame.TYPE_HELLO)
            {
                return Action.CONTINUE;
            }
            final int source = buffer.getShort(offset + Frame.SOURCE_OFFSET) & 0xFFFF;
            final long job = buffer.getLong(offset + Frame.JOB_OFFSET);
            final int dest = buffer.getInt(offset + Frame.HELLO_DEST_OFFSET);
            final int groupSize = buffer.getInt(offset + Frame.HELLO_SIZE_OFFSET);
            final int chunk = buffer.getInt(offset + Frame.HELLO_CHUNK_OFFSET);
            final int small = buffer.getInt(offset + Frame.HELLO_SMALL_OFFSET);
            final int window = buffer.getInt(offset + Frame.HELLO_WINDOW_OFFSET);
            final long nonce = buffer.getLong(offset + Frame.HELLO_NONCE_OFFSET);
            buffer.getBytes(offset + Frame.HELLO_TAG_OFFSET, tag);
            if (job != auth.jobHash)
            {
                refusal = "refused HELLO from rank " + source + ": job hash " + Long.toHexString(job)
                    + " is not job '" + auth.jobId + "' (" + Long.toHexString(auth.jobHash) + ")";
            }
            else if (source != left || dest != rank || groupSize != size)
            {
                refusal = "refused HELLO from rank " + source + " to rank " + dest + " of " + groupSize
                    + ": expected rank " + left + " to rank " + rank + " of " + size;
            }
            else if (!auth.verifyHello(source, dest, groupSize, chunk, small, window, nonce, tag))
            {
                refusal = "refused HELLO from rank " + source + ": authentication tag does not match "
                    + "(wrong job secret)";
            }
            else if (chunk != chunkFloats)
            {
                refusal = "refused HELLO from rank " + source + ": chunk of " + chunk + " floats, this rank uses "
                    + chunkFloats + " (set the same chunkSizeBytes and mtuLength on every rank)";
            }
            else if (small != smallAllreduceBytes)
            {
                refusal = "refused HELLO from rank " + source + ": smallAllreduceBytes=" + small + ", this rank uses "
                    + smallAllreduceBytes + " (set the same smallAllreduceBytes on every rank)";
            }
            else if (window != windowBytes)
            {
                refusal = "refused HELLO from rank " + source + ": shared-memory window of " + window
                    + " bytes, this rank " + windowBytes + " (0 = none; set the same sharedMemoryWindowBytes and "
                    + "transport on every rank)";
            }
            else
            {
                pinnedSessionId = header.sessionId();
                pinned = true;
                return Action.BREAK;
            }
            return Action.CONTINUE;
        }
    }

    @Override
    public void close()
    {
        if (publication != null && !rightIpc && driver != null)
        {
            // UDP: our driver still has to send (and maybe resend) the last frames; give it a moment.
            CloseHelper.quietClose(publication);
            try
            {
                Thread.sleep(UDP_CLOSE_LINGER_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        // Clients close while the keeper still runs an invoker-mode driver: their close waits for its reply.
        CloseHelper.quietCloseAll(publication, subscription, rightClient, ownClient);
        stopDriverKeeper();
        CloseHelper.quietClose(driver);
        publication = null;
        subscription = null;
        rightClient = null;
        ownClient = null;
        if (driver != null)
        {
            driver = null;
            IoUtil.delete(driverDirectory, true);
            DriverDirectories.reapStale(driverDirectory.getParentFile());
        }
    }
}
