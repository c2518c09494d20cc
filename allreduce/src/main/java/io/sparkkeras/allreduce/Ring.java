package io.sparkkeras.allreduce;

import io.aeron.ExclusivePublication;
import io.aeron.ImageControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

/**
 * The collectives, run over a {@link RingTransport}: ring allreduce (reduce-scatter then all-gather), pipelined
 * broadcast, and allgather/barrier of small byte payloads.
 *
 * <p>Allreduce splits the {@code count} floats into {@code N} segments ({@code count / N}, the first
 * {@code count % N} one float longer) and each segment into chunks of at most {@code chunkFloats}. Step {@code s}
 * of {@code 2(N-1)} sends segment {@code (r - s) mod N} and receives segment {@code (r - s - 1) mod N}: steps below
 * {@code N-1} reduce what arrives, the rest copy it. Chunk {@code k} of step {@code s} may be sent as soon as chunk
 * {@code k} of step {@code s-1} has arrived, so sending, receiving and reducing overlap. Each segment is reduced in
 * ring order starting at its owner, and then copied, so every rank ends with the same bits.
 *
 * <p>Small arrays ({@code (N-1) * 4 * count <= smallAllreduceBytes}) skip the reduce-scatter: in {@code N-1} steps
 * every rank's whole array goes round the ring (step {@code s} sends the array of rank {@code (r - s) mod N}, its
 * own at step 0, and receives that of rank {@code (r - s - 1) mod N} into a staging slot), then each rank reduces the
 * {@code N} arrays itself in rank order, {@code ((a0 op a1) op a2) ...}, the same expression on every rank, so the
 * bits agree. For 2 ranks that is one hop instead of two; the frames and their checks are the ring's.
 *
 * <p>When every rank runs on this host, allreduce goes through {@link SharedWindows} instead, at every size, with
 * the same bits as the paths above.
 *
 * <p>Nothing here allocates per chunk: the send side claims space in the log ({@link BufferClaim}) and copies the
 * floats straight in, the receive side reduces straight out of the log into the caller's memory. All waits retry
 * with an {@link IdleStrategy} against a deadline that moves forward on progress; {@link #fail} turns a stall into
 * one exception. Used by one thread at a time.
 */
final class Ring
{
    private static final long FLOAT_ARRAY_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    private static final int FRAGMENT_LIMIT = 16;

    private final RingTransport transport;
    private final JobAuth auth;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final int rank;
    private final int size;
    private final int chunkFloats;
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableDirectByteBuffer gatherBuffer = new ExpandableDirectByteBuffer(4096);
    private final float[] scratch;
    /** Small-message path: the arrays received at steps 0..N-2, {@code count} floats each, back to back. */
    private final float[] smallSlots;
    /** Small-message path: a direct buffer's floats, copied in so the rank-order reduction runs on arrays. */
    private final float[] smallOwn;
    private final long smallAllreduceBytes;
    private final DataHandler dataHandler = new DataHandler();
    private final ImageControlledFragmentAssembler assembler;
    private final ExclusivePublication publication;
    /** Shared-memory windows when every rank is on this host, else null. */
    private final SharedWindows windows;

    // Per-op state, reset at the start of each collective.
    private int seq;
    private byte kind;
    private ReduceOp reduceOp;
    private float[] targetArray;
    private int targetIndex;
    private long targetAddress;
    private int count;
    private int segBase;
    private int segRem;
    private int totalSteps;
    private int sendStep;
    private int sendChunk;
    private int recvStep;
    private int recvChunk;
    private int root;
    private byte[][] gathered;
    private String protocolError;
    private long lastOfferResult;
    long foreignFramesDropped;

    Ring(final RingTransport transport, final JobAuth auth, final Communicator.Context ctx,
        final SharedWindows windows)
    {
        this.windows = windows;
        this.transport = transport;
        this.auth = auth;
        this.clock = ctx.nanoClock();
        this.idle = ctx.newIdleStrategy();
        this.rank = transport.rank;
        this.size = transport.size;
        this.chunkFloats = transport.chunkFloats;
        this.scratch = new float[chunkFloats];
        this.smallAllreduceBytes = transport.smallAllreduceBytes;
        final int slotFloats = size > 1 ? transport.smallAllreduceBytes / 4 : 0;
        this.smallSlots = new float[slotFloats];
        this.smallOwn = new float[size > 1 ? slotFloats / (size - 1) : 0];
        this.publication = transport.publication;
        this.assembler = new ImageControlledFragmentAssembler(dataHandler);
    }

    int sequence()
    {
        return seq;
    }

    // ------------------------------------------------------------------ allreduce

    void allreduce(final float[] array, final int index, final long address, final int n, final ReduceOp op,
        final long timeoutNs)
    {
        if (n == 0 || size == 1)
        {
            return;
        }
        if (windows != null)
        {
            // Every rank on this host: shared memory beats the ring at every size (module README).
            seq++;
            windows.allreduce(array, index, address, n, op, seq, timeoutNs);
            return;
        }
        if ((size - 1) * 4L * n <= smallAllreduceBytes)
        {
            allreduceSmall(array, index, address, n, op, timeoutNs);
            return;
        }
        beginOp(Frame.KIND_ALLREDUCE, array, index, address, n);
        reduceOp = op;
        segBase = n / size;
        segRem = n % size;
        totalSteps = 2 * (size - 1);
        run(timeoutNs);
    }

    private void allreduceSmall(final float[] array, final int index, final long address, final int n,
        final ReduceOp op, final long timeoutNs)
    {
        final float[] own;
        final int ownIndex;
        if (array == null)
        {
            UnsafeApi.copyMemory(null, address, smallOwn, FLOAT_ARRAY_BASE, n * 4L);
            own = smallOwn;
            ownIndex = 0;
        }
        else
        {
            own = array;
            ownIndex = index;
        }
        beginOp(Frame.KIND_ALLREDUCE_SMALL, own, ownIndex, 0, n);
        reduceOp = op;
        segBase = n;
        segRem = 0;
        totalSteps = size - 1;
        run(timeoutNs);
        reduceInRankOrder(own, ownIndex, n, op);
        if (array == null)
        {
            UnsafeApi.copyMemory(smallOwn, FLOAT_ARRAY_BASE, null, address, n * 4L);
        }
    }

    /** Offset in {@link #smallSlots} of the array received at {@code step}. */
    private int slotOffset(final int step)
    {
        return step * count;
    }

    /**
     * {@code own = ((a0 op a1) op a2) ... op a(N-1)}, where {@code a(rank)} is {@code own} and the others were
     * received: rank 0 accumulates in place, the others in rank 0's slot, and the last step writes {@code own}.
     */
    private void reduceInRankOrder(final float[] own, final int ownIndex, final int n, final ReduceOp op)
    {
        float[] acc = own;
        int accIndex = ownIndex;
        if (rank != 0)
        {
            acc = smallSlots;
            accIndex = slotOffset(rank - 1);
        }
        for (int k = 1; k < size; k++)
        {
            final boolean last = k == size - 1;
            final float[] in = k == rank ? own : smallSlots;
            final int inIndex = k == rank ? ownIndex : slotOffset(Math.floorMod(rank - k - 1, size));
            final float[] out = last ? own : acc;
            final int outIndex = last ? ownIndex : accIndex;
            Reductions.combine(op, last && op == ReduceOp.AVERAGE, size, acc, accIndex, in, inIndex, out, outIndex, n);
            acc = out;
            accIndex = outIndex;
        }
    }

    void broadcast(final float[] array, final int index, final long address, final int n, final int rootRank,
        final long timeoutNs)
    {
        if (n == 0 || size == 1)
        {
            return;
        }
        beginOp(Frame.KIND_BROADCAST, array, index, address, n);
        root = rootRank;
        segBase = n;
        segRem = 0;
        totalSteps = 1;
        run(timeoutNs);
    }

    byte[][] allgather(final byte[] payload, final long timeoutNs)
    {
        final byte[][] result = new byte[size][];
        result[rank] = payload.clone();
        if (size > 1)
        {
            beginOp(Frame.KIND_ALLGATHER, null, 0, 0, 0);
            gathered = result;
            totalSteps = size - 1;
            run(timeoutNs);
            gathered = null;
        }
        return result;
    }

    void barrier(final long timeoutNs)
    {
        if (size > 1)
        {
            beginOp(Frame.KIND_BARRIER, null, 0, 0, 0);
            totalSteps = size - 1;
            run(timeoutNs);
        }
    }

    private void beginOp(final byte kind, final float[] array, final int index, final long address, final int n)
    {
        seq++;
        this.kind = kind;
        this.targetArray = array;
        this.targetIndex = index;
        this.targetAddress = address;
        this.count = n;
        this.sendStep = 0;
        this.sendChunk = 0;
        this.recvStep = 0;
        this.recvChunk = 0;
        this.protocolError = null;
        this.lastOfferResult = 0;
    }

    private boolean gatherKind()
    {
        return kind == Frame.KIND_ALLGATHER || kind == Frame.KIND_BARRIER;
    }

    // Which steps this rank sends and receives.
    private int sendSteps()
    {
        if (kind == Frame.KIND_BROADCAST)
        {
            return transport.right == root ? 0 : 1;
        }
        return totalSteps;
    }

    private int recvSteps()
    {
        if (kind == Frame.KIND_BROADCAST)
        {
            return rank == root ? 0 : 1;
        }
        return totalSteps;
    }

    private int sendSegment(final int step)
    {
        return kind == Frame.KIND_BROADCAST ? 0 : Math.floorMod(rank - step, size);
    }

    private int recvSegment(final int step)
    {
        return kind == Frame.KIND_BROADCAST ? 0 : Math.floorMod(rank - step - 1, size);
    }

    private int segmentStart(final int segment)
    {
        return segment * segBase + Math.min(segment, segRem);
    }

    private int segmentLength(final int segment)
    {
        return segBase + (segment < segRem ? 1 : 0);
    }

    private boolean smallKind()
    {
        return kind == Frame.KIND_ALLREDUCE_SMALL;
    }

    private int chunksInStep(final int segment)
    {
        return gatherKind() ? 1 : (segmentLength(segment) + chunkFloats - 1) / chunkFloats;
    }

    private void normalizeSend(final int steps)
    {
        while (sendStep < steps && sendChunk >= chunksInStep(sendSegment(sendStep)))
        {
            sendStep++;
            sendChunk = 0;
        }
    }

    private void normalizeRecv(final int steps)
    {
        while (recvStep < steps && recvChunk >= chunksInStep(recvSegment(recvStep)))
        {
            recvStep++;
            recvChunk = 0;
        }
    }

    /** Chunk {@code sendChunk} of {@code sendStep} depends on the same chunk of the previous step having arrived. */
    private boolean canSend()
    {
        if (kind == Frame.KIND_BROADCAST)
        {
            return rank == root || recvStep > 0 || recvChunk > sendChunk;
        }
        return sendStep == 0 || recvStep >= sendStep || (recvStep == sendStep - 1 && recvChunk > sendChunk);
    }

    private void run(final long timeoutNs)
    {
        final int sends = sendSteps();
        final int recvs = recvSteps();
        normalizeSend(sends);
        normalizeRecv(recvs);
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        transport.acquireDriver();
        try
        {
            loop(sends, recvs, timeoutNs, deadlineNs);
        }
        finally
        {
            transport.releaseDriver();
        }
        idle.reset();
    }

    private void loop(final int sends, final int recvs, final long timeoutNs, final long startDeadlineNs)
    {
        long deadlineNs = startDeadlineNs;
        boolean sendBlocked;
        while (sendStep < sends || recvStep < recvs)
        {
            int work = 0;
            sendBlocked = false;
            while (sendStep < sends && canSend())
            {
                final long result = gatherKind() ? offerGather() : offerChunk();
                if (result > 0)
                {
                    work++;
                    sendChunk++;
                    normalizeSend(sends);
                }
                else
                {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                    {
                        throw transport.failure(opName(), transport.right, transport.rightHost,
                            "publication failed: " + Publication.errorString(result), null);
                    }
                    sendBlocked = true;
                    break;
                }
            }
            if (recvStep < recvs)
            {
                work += transport.image.controlledPoll(assembler, FRAGMENT_LIMIT);
                if (protocolError != null)
                {
                    throw transport.failure(opName(), transport.left, transport.leftHost, protocolError, null);
                }
            }
            // Driver work (heartbeats, status messages) keeps the loop busy but is not progress of this collective.
            final int driverWork = transport.invokeDriver();
            if (work > 0)
            {
                deadlineNs = clock.nanoTime() + timeoutNs;
            }
            else if (clock.nanoTime() - deadlineNs > 0)
            {
                throw timeout(sendBlocked, timeoutNs);
            }
            idle.idle(work + driverWork);
        }
    }

    private String opName()
    {
        return Frame.kindName(smallKind() ? Frame.KIND_ALLREDUCE : kind) + "#" + seq;
    }

    private AllreduceException timeout(final boolean sendBlocked, final long timeoutNs)
    {
        final String op = opName();
        final double seconds = timeoutNs / 1e9;
        if (sendBlocked)
        {
            return new PeerTimeoutException(transport.message(op, transport.right, transport.rightHost,
                "no progress sending for " + seconds + " s (" + Publication.errorString(lastOfferResult)
                + "); sent step " + sendStep + " chunk " + sendChunk), transport.right, transport.rightHost, op);
        }
        final String state = transport.image.isClosed() ? "its stream closed (peer exited?)" : "silent";
        return new PeerTimeoutException(transport.message(op, transport.left, transport.leftHost,
            state + " for " + seconds + " s; waiting for step " + recvStep + " chunk " + recvChunk
            + " (a dead rank further up the ring also stalls this one)"), transport.left, transport.leftHost, op);
    }

    private void putHeader(final MutableDirectBuffer buffer, final int offset, final byte type, final int index)
    {
        buffer.putByte(offset + Frame.VERSION_OFFSET, Frame.VERSION);
        buffer.putByte(offset + Frame.TYPE_OFFSET, type);
        buffer.putShort(offset + Frame.SOURCE_OFFSET, (short)rank);
        buffer.putInt(offset + Frame.SEQ_OFFSET, seq);
        buffer.putLong(offset + Frame.JOB_OFFSET, auth.jobHash);
        buffer.putLong(offset + Frame.TOKEN_OFFSET, auth.frameToken);
        buffer.putShort(offset + Frame.STEP_OFFSET, (short)sendStep);
        buffer.putByte(offset + Frame.KIND_OFFSET, kind);
        buffer.putByte(offset + Frame.REDUCE_OFFSET, (byte)(reduceOp == null ? 0 : reduceOp.ordinal()));
        buffer.putInt(offset + Frame.INDEX_OFFSET, index);
    }

    private long offerChunk()
    {
        final int segment = sendSegment(sendStep);
        final int first = sendChunk * chunkFloats;
        final int length = Math.min(chunkFloats, segmentLength(segment) - first);
        final long start = smallKind() ? first : segmentStart(segment) + (long)first;
        final long result = publication.tryClaim(Frame.HEADER_LENGTH + length * 4, claim);
        lastOfferResult = result;
        if (result > 0)
        {
            final MutableDirectBuffer buffer = claim.buffer();
            final int offset = claim.offset();
            putHeader(buffer, offset, Frame.TYPE_DATA, sendChunk);
            final long dst = buffer.addressOffset() + offset + Frame.HEADER_LENGTH;
            if (smallKind() && sendStep > 0)
            {
                // Forward the array received at the previous step (that of rank (r - sendStep) mod N).
                UnsafeApi.copyMemory(smallSlots, FLOAT_ARRAY_BASE + (slotOffset(sendStep - 1) + start) * 4L,
                    buffer.byteArray(), dst, length * 4L);
            }
            else if (targetArray != null)
            {
                UnsafeApi.copyMemory(targetArray, FLOAT_ARRAY_BASE + (targetIndex + start) * 4L,
                    buffer.byteArray(), dst, length * 4L);
            }
            else
            {
                UnsafeApi.copyMemory(null, targetAddress + start * 4L, buffer.byteArray(), dst, length * 4L);
            }
            claim.commit();
        }
        return result;
    }

    private long offerGather()
    {
        final int source = Math.floorMod(rank - sendStep, size);
        final byte[] payload = gathered == null ? null : gathered[source];
        final int length = payload == null ? 0 : payload.length;
        putHeader(gatherBuffer, 0, Frame.TYPE_GATHER, length);
        if (length > 0)
        {
            gatherBuffer.putBytes(Frame.HEADER_LENGTH, payload);
        }
        final long result = publication.offer(gatherBuffer, 0, Frame.HEADER_LENGTH + length);
        lastOfferResult = result;
        return result;
    }

    private void onData(final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
    {
        final int segment = recvSegment(recvStep);
        final int first = recvChunk * chunkFloats;
        final int length = Math.min(chunkFloats, segmentLength(segment) - first);
        if (payloadLength != length * 4)
        {
            protocolError = "chunk " + recvChunk + " of step " + recvStep + " carries " + payloadLength
                + " bytes, expected " + (length * 4) + " (do all ranks pass the same number of floats?)";
            return;
        }
        final long src = buffer.addressOffset() + payloadOffset;
        final byte[] srcArray = buffer.byteArray();
        if (smallKind())
        {
            UnsafeApi.copyMemory(srcArray, src, smallSlots, FLOAT_ARRAY_BASE + (slotOffset(recvStep) + first) * 4L,
                length * 4L);
            return;
        }
        final int start = segmentStart(segment) + first;
        final boolean reduce = kind == Frame.KIND_ALLREDUCE && recvStep < size - 1;
        if (!reduce)
        {
            if (targetArray != null)
            {
                UnsafeApi.copyMemory(srcArray, src, targetArray, FLOAT_ARRAY_BASE + (targetIndex + start) * 4L,
                    length * 4L);
            }
            else
            {
                UnsafeApi.copyMemory(srcArray, src, null, targetAddress + start * 4L, length * 4L);
            }
            return;
        }
        final boolean average = reduceOp == ReduceOp.AVERAGE && recvStep == size - 2;
        final float[] in = scratch;
        UnsafeApi.copyMemory(srcArray, src, in, FLOAT_ARRAY_BASE, length * 4L);
        if (targetArray != null)
        {
            Reductions.apply(reduceOp, average, size, targetArray, targetIndex + start, in, length);
        }
        else
        {
            Reductions.apply(reduceOp, average, size, targetAddress + start * 4L, in, length);
        }
    }

    private final class DataHandler implements ControlledFragmentHandler
    {
        @Override
        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (length < Frame.HEADER_LENGTH || buffer.getByte(offset + Frame.VERSION_OFFSET) != Frame.VERSION
                || buffer.getLong(offset + Frame.JOB_OFFSET) != auth.jobHash
                || buffer.getLong(offset + Frame.TOKEN_OFFSET) != auth.frameToken)
            {
                foreignFramesDropped++;
                return Action.CONTINUE;
            }
            final int frameSeq = buffer.getInt(offset + Frame.SEQ_OFFSET);
            if (frameSeq != seq)
            {
                if (frameSeq - seq > 0)
                {
                    return Action.ABORT;
                }
                foreignFramesDropped++;
                return Action.CONTINUE;
            }
            final int steps = recvSteps();
            if (recvStep >= steps)
            {
                return Action.ABORT;
            }
            final byte frameKind = buffer.getByte(offset + Frame.KIND_OFFSET);
            final int step = buffer.getShort(offset + Frame.STEP_OFFSET);
            final int index = buffer.getInt(offset + Frame.INDEX_OFFSET);
            if (frameKind != kind || ((kind == Frame.KIND_ALLREDUCE || kind == Frame.KIND_ALLREDUCE_SMALL)
                && buffer.getByte(offset + Frame.REDUCE_OFFSET) != reduceOp.ordinal()))
            {
                protocolError = "sent " + Frame.kindName(frameKind) + "/" + buffer.getByte(offset + Frame.REDUCE_OFFSET)
                    + " while this rank runs " + Frame.kindName(kind) + "/" + (reduceOp == null ? 0 : reduceOp.ordinal())
                    + " (collectives must be called in the same order on every rank)";
                return Action.ABORT;
            }
            if (step != recvStep || (!gatherKind() && index != recvChunk))
            {
                protocolError = "sent step " + step + " chunk " + index + ", expected step " + recvStep + " chunk "
                    + recvChunk;
                return Action.ABORT;
            }
            if (gatherKind())
            {
                if (length - Frame.HEADER_LENGTH != index)
                {
                    protocolError = "gather payload of " + (length - Frame.HEADER_LENGTH) + " bytes, header says "
                        + index;
                    return Action.ABORT;
                }
                if (gathered != null)
                {
                    final byte[] payload = new byte[index];
                    buffer.getBytes(offset + Frame.HEADER_LENGTH, payload);
                    gathered[Math.floorMod(rank - recvStep - 1, size)] = payload;
                }
            }
            else
            {
                onData(buffer, offset + Frame.HEADER_LENGTH, length - Frame.HEADER_LENGTH);
                if (protocolError != null)
                {
                    return Action.ABORT;
                }
            }
            recvChunk++;
            normalizeRecv(steps);
            return Action.CONTINUE;
        }
    }
}
