package io.sparkkeras.allreduce;

import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;

/**
 * Allreduce through shared memory, for a group whose ranks all run on this host: each rank owns a memory-mapped
 * window file in its endpoint directory and maps every peer's window.
 *
 * <p>Why: over Aeron IPC a byte is copied into the publication's log and out again at every hop, with frames, a
 * fragment assembler and a driver that moves the publisher's limit in between. Here each rank copies the parts of
 * its array the others fold into its window once, the owner of a segment reads them from the peers' windows, and
 * everyone copies the folded segments back out: no frames, one counter per phase. Which lines a core stores to
 * matters more than how many bytes move (a store to a line the other core has just read is several times dearer
 * than a load from it), hence results written over lines this core has just read, and a window small enough to stay
 * in cache.
 *
 * <p>Same segments and the same reduction order as the ring ({@link Ring}): the array is split into {@code N}
 * segments and segment {@code j} is folded starting at rank {@code j}, {@code acc = op(a[j+k], acc)} for
 * {@code k = 1..N-1}, {@code AVERAGE} dividing at the last step. Rank {@code r} folds segment {@code r}. Arrays
 * small enough for the ring's small-message path are folded in its rank order instead,
 * {@code ((a[0] op a[1]) op a[2]) ...}. So the result is, to the bit, what the ring would give. An array longer than
 * the window goes in pieces of {@code window / N} floats of every segment.
 *
 * <p>Each piece has three phases, each ended by a counter on its own cache line in the owner's window header
 * (written with release, read with acquire): COPIED (this rank's copies of the other segments are in its window),
 * REDUCED (its own segment, folded, is in the next rank's window, over that rank's copy of it, which only this rank
 * reads) and DONE (it has read all it needs from the peers' windows, so they may be overwritten). Every wait has the
 * peer timeout: a peer whose counter does not move makes the call throw {@link PeerTimeoutException} naming it. No
 * allocation per call.
 *
 * <p>Trust: a window is a file readable and writable by its owner's user only; its header carries the job hash and
 * token derived from the job secret, checked when a peer maps it. Like the Aeron log files beside it, it is not
 * protected from a process of the same user that writes into it.
 */
final class SharedWindows implements AutoCloseable
{
    static final String FILE_PREFIX = "sk-window-";
    static final int HEADER_LENGTH = 4096;
    private static final long MAGIC = 0x574F444E4957534BL; // "KSWINDOW", little-endian
    private static final int MAGIC_OFFSET = 0;
    private static final int JOB_OFFSET = 8;
    private static final int TOKEN_OFFSET = 16;
    private static final int CAPACITY_OFFSET = 24;
    private static final int RANK_OFFSET = 32;
    private static final int SIZE_OFFSET = 36;
    /** The owner's process id, so that a window left behind by a killed process can be told from a live one. */
    static final int PID_OFFSET = 40;
    // Counters 128 bytes apart so adjacent-line prefetch does not couple them.
    private static final int COPIED_OFFSET = 256;
    private static final int REDUCED_OFFSET = 384;
    private static final int DONE_OFFSET = 512;
    /** The call each piece belongs to (operation number, float count, reduce op), written before COPIED. */
    private static final int CALL_SEQ_OFFSET = 640;
    private static final int CALL_COUNT_OFFSET = 644;
    private static final int CALL_OP_OFFSET = 648;
    private static final long FLOAT_ARRAY_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    /**
     * The fold copies a peer's chunk into scratch and adds it into the array: at 16 KiB the chunk and its target stay
     * in L1 between the two passes (64 KiB chunks spilled to L2: 4 MiB took ~10% longer, module README).
     */
    private static final int SCRATCH_FLOATS = 4096;

    private final RingTransport transport;
    private final JobAuth auth;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final int rank;
    private final int size;
    private final int windowBytes;
    /** Floats of each segment that one piece holds, a multiple of 16 (a cache line). */
    private final int pieceFloats;
    private final File file;
    private final MappedByteBuffer[] mapped;
    /** Start of each rank's window (its header) in this process. */
    private final long[] windows;
    private final String[] hosts;
    private final float[] in = new float[SCRATCH_FLOATS];
    private final float[] acc = new float[SCRATCH_FLOATS];
    private final float[] self = new float[SCRATCH_FLOATS];
    private final long smallAllreduceBytes;
    private long epoch;
    private int opSeq;
    /** Where in every window the current piece starts (bytes after the header). */
    private long cursor;
    /** Bytes between the segments of the current piece. */
    private long stride;

    private SharedWindows(final Communicator.Context ctx, final RingTransport transport, final JobAuth auth)
    {
        this.transport = transport;
        this.auth = auth;
        this.clock = ctx.nanoClock();
        this.idle = ctx.newIdleStrategy();
        this.rank = ctx.rank();
        this.size = ctx.endpoints().size();
        this.windowBytes = ctx.sharedMemoryWindowBytes();
        this.smallAllreduceBytes = ctx.smallAllreduceBytes();
        this.pieceFloats = windowBytes / size / 64 * 16;
        this.mapped = new MappedByteBuffer[size];
        this.windows = new long[size];
        this.hosts = new String[size];
        for (int i = 0; i < size; i++)
        {
            hosts[i] = ctx.endpoints().get(i).host();
        }
        this.file = windowFile(ctx.endpoints(), rank, auth.jobHash);
        reapStale(file.getParentFile());
        IoUtil.deleteIfExists(file);
        final MappedByteBuffer own = createOwnerOnly(HEADER_LENGTH + (long)windowBytes);
        mapped[rank] = own;
        final UnsafeBuffer header = new UnsafeBuffer(own, 0, HEADER_LENGTH);
        windows[rank] = header.addressOffset();
        header.putLong(JOB_OFFSET, auth.jobHash);
        header.putLong(TOKEN_OFFSET, auth.frameToken);
        header.putLong(CAPACITY_OFFSET, windowBytes);
        header.putInt(RANK_OFFSET, rank);
        header.putInt(SIZE_OFFSET, size);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLongOrdered(MAGIC_OFFSET, MAGIC);
    }

    /**
     * Deletes the windows in {@code directory} whose owner process has exited. A rank deletes its own window on close,
     * but a rank killed with SIGKILL cannot, and in an external driver's directory (shared by the jobs on this host)
     * nothing else would. As {@link DriverDirectories#reapStale(File)}, this takes the process ids of this host's
     * namespace to be the owners'. A window whose header holds no process id yet (one being made) is left alone.
     *
     * @return how many were deleted.
     */
    static int reapStale(final File directory)
    {
        final File[] windows = directory == null ? null : directory.listFiles(
            (dir, name) -> name.startsWith(FILE_PREFIX));
        if (windows == null)
        {
            return 0;
        }
        int reaped = 0;
        final ByteBuffer pid = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());   // as UnsafeBuffer wrote it
        for (final File window : windows)
        {
            try (FileChannel channel = FileChannel.open(window.toPath(), StandardOpenOption.READ))
            {
                pid.clear();
                final long owner = channel.read(pid, PID_OFFSET) == 8 ? pid.getLong(0) : 0;
                if (owner > 0 && !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false))
                {
                    IoUtil.deleteIfExists(window);
                    reaped++;
                }
            }
            catch (final IOException ex)
            {
                // Gone meanwhile (its owner closed), or not ours to read: either way nothing to reap.
            }
        }
        return reaped;
    }

    /**
     * Creates the window file readable and writable by this user only from the start (it will hold the job's token
     * and gradients), written out in full: a full {@code /dev/shm} fails here, naming the file, rather than with a
     * SIGBUS in some later call.
     */
    private MappedByteBuffer createOwnerOnly(final long length)
    {
        final Path path = file.toPath();
        final boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
        final FileAttribute<?> rwOwner =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        final FileAttribute<?>[] ownerOnly = posix ? new FileAttribute<?>[] {rwOwner} : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE), ownerOnly))
        {
            final ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position);
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
        catch (final IOException ex)
        {
            if (!(ex instanceof java.nio.file.FileAlreadyExistsException))
            {
                IoUtil.deleteIfExists(file);   // a part-written window would stay in a shared external directory
            }
            throw transport.failure("join", rank, hosts[rank], "could not create its shared-memory window " + file
                + " of " + length + " bytes (is the file system full? sharedMemoryWindowBytes=0 turns the windows "
                + "off): " + ex, ex);
        }
    }

    /**
     * @return the windows of this rank, or {@code null} when the group does not reduce through shared memory: one
     *         rank, a link that is not IPC, a window too small for {@code N} segments of 1,024 floats, or the path
     *         turned off ({@link Communicator.Context#sharedMemoryWindowBytes(int)} 0).
     */
    static SharedWindows create(final Communicator.Context ctx, final RingTransport transport, final JobAuth auth)
    {
        final int n = ctx.endpoints().size();
        if (n < 2 || ctx.sharedMemoryWindowBytes() == 0 || ctx.ringUsesUdp() || !allIpc(ctx)
            || ctx.sharedMemoryWindowBytes() / 4 / n < 1024)
        {
            return null;
        }
        return new SharedWindows(ctx, transport, auth);
    }

    private static boolean allIpc(final Communicator.Context ctx)
    {
        if (ctx.transport() == Transport.IPC)
        {
            return true;
        }
        final String host = ctx.endpoints().get(0).host();
        for (final Endpoint endpoint : ctx.endpoints())
        {
            if (!endpoint.host().equals(host))
            {
                return false;
            }
        }
        return ctx.transport() == Transport.AUTO;
    }

    /**
     * {@code sk-window-<job hash in hex>-r<rank>} in the rank's driver directory: named by job as well as rank, since the
     * ranks of several jobs can share one external driver's directory.
     */
    static File windowFile(final List<Endpoint> endpoints, final int rank, final long jobHash)
    {
        return new File(endpoints.get(rank).ipcDirectory(),
            FILE_PREFIX + Long.toHexString(jobHash) + "-r" + rank);
    }

    /**
     * Maps every peer's window and checks its header. Called once every rank has created its own (after the join's
     * barrier).
     */
    void connect(final List<Endpoint> endpoints, final long deadlineNs)
    {
        for (int p = 0; p < size; p++)
        {
            if (p == rank)
            {
                continue;
            }
            final File peerFile = windowFile(endpoints, p, auth.jobHash);
            final long expected = HEADER_LENGTH + (long)windowBytes;
            while (!peerFile.exists() || peerFile.length() < HEADER_LENGTH)
            {
                if (clock.nanoTime() - deadlineNs > 0)
                {
                    throw new PeerTimeoutException(transport.message("join", p, hosts[p], "its shared-memory window "
                        + peerFile + " did not appear"), p, hosts[p], "join");
                }
                idle.idle();
            }
            idle.reset();
            if (peerFile.length() != expected)
            {
                throw transport.failure("join", p, hosts[p], "its shared-memory window " + peerFile + " holds "
                    + (peerFile.length() - HEADER_LENGTH) + " bytes, this rank's " + windowBytes
                    + " (set the same sharedMemoryWindowBytes on every rank)", null);
            }
            mapped[p] = IoUtil.mapExistingFile(peerFile, "shared-memory window of rank " + p);
            final UnsafeBuffer header = new UnsafeBuffer(mapped[p], 0, HEADER_LENGTH);
            while (header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
            {
                if (clock.nanoTime() - deadlineNs > 0)
                {
                    throw new PeerTimeoutException(transport.message("join", p, hosts[p], "its shared-memory window "
                        + peerFile + " was never initialised"), p, hosts[p], "join");
                }
                idle.idle();
            }
            idle.reset();
            if (header.getLong(JOB_OFFSET) != auth.jobHash || header.getLong(TOKEN_OFFSET) != auth.frameToken
                || header.getInt(RANK_OFFSET) != p || header.getInt(SIZE_OFFSET) != size)
            {
                throw transport.failure("join", p, hosts[p], "refused its shared-memory window " + peerFile
                    + ": another job, rank or group size", null);
            }
            windows[p] = header.addressOffset();
        }
    }

    /**
     * Reduces {@code n} floats of {@code array} from {@code index}, or at {@code address} when {@code array} is
     * null, across all ranks in place.
     *
     * @param seq the ring's operation number, for error messages ({@code allreduce#7}).
     */
    void allreduce(final float[] array, final int index, final long address, final int n, final ReduceOp reduceOp,
        final int seq, final long timeoutNs)
    {
        opSeq = seq;
        final boolean rankOrder = (size - 1) * 4L * n <= smallAllreduceBytes;
        final int segBase = n / size;
        final int segRem = n % size;
        final int longest = segBase + (segRem > 0 ? 1 : 0);
        for (int piece = 0; piece < longest; piece += pieceFloats)
        {
            epoch++;
            // Each piece goes after the last one, round the window, so only a wrap waits for the peers to finish
            // reading the earlier pieces.
            stride = pieceLength(0, piece, segBase, segRem) * 4L + 63 & ~63L;
            if (cursor + stride * size > windowBytes)
            {
                cursor = 0;
                // The front of the window holds earlier pieces until every peer has read them.
                for (int p = 0; p < size; p++)
                {
                    if (p != rank)
                    {
                        await(p, DONE_OFFSET, epoch - 1, timeoutNs, "to finish reading the previous piece");
                    }
                }
            }
            for (int j = 0; j < size; j++)
            {
                final int length = pieceLength(j, piece, segBase, segRem);
                if (j != rank && length > 0)
                {
                    final long src = segmentStart(j, segBase, segRem) + (long)piece;
                    copyOut(array, index, address, src, slot(rank, j), length);
                }
            }
            UnsafeApi.putInt(windows[rank] + CALL_SEQ_OFFSET, seq);
            UnsafeApi.putInt(windows[rank] + CALL_COUNT_OFFSET, n);
            UnsafeApi.putInt(windows[rank] + CALL_OP_OFFSET, reduceOp.ordinal());
            UnsafeApi.putLongRelease(null, windows[rank] + COPIED_OFFSET, epoch);
            for (int p = 0; p < size; p++)
            {
                if (p != rank)
                {
                    await(p, COPIED_OFFSET, epoch, timeoutNs, "to copy its part of the array in");
                    checkSameCall(p, seq, n, reduceOp);
                }
            }
            reduceOwnSegment(array, index, address, reduceOp, rankOrder, piece, segBase, segRem);
            UnsafeApi.putLongRelease(null, windows[rank] + REDUCED_OFFSET, epoch);
            for (int k = 1; k < size; k++)
            {
                final int j = (rank + k) % size;
                final int length = pieceLength(j, piece, segBase, segRem);
                await(j, REDUCED_OFFSET, epoch, timeoutNs, "to reduce its segment");
                if (length > 0)
                {
                    final long dst = segmentStart(j, segBase, segRem) + (long)piece;
                    copyIn(slot((j + 1) % size, j), array, index, address, dst, length);
                }
            }
            UnsafeApi.putLongRelease(null, windows[rank] + DONE_OFFSET, epoch);
            cursor += stride * size;
        }
        idle.reset();
    }

    /**
     * A peer in another call would read and write this rank's window at other offsets: fail instead, as the ring does
     * on a frame of the wrong length. The peer cannot have moved on to its next call yet: it waits for this rank's
     * REDUCED first.
     */
    private void checkSameCall(final int peer, final int seq, final int n, final ReduceOp reduceOp)
    {
        final int peerSeq = UnsafeApi.getInt(windows[peer] + CALL_SEQ_OFFSET);
        final int peerCount = UnsafeApi.getInt(windows[peer] + CALL_COUNT_OFFSET);
        final int peerOp = UnsafeApi.getInt(windows[peer] + CALL_OP_OFFSET);
        if (peerSeq != seq || peerCount != n || peerOp != reduceOp.ordinal())
        {
            final String op = Frame.kindName(Frame.KIND_ALLREDUCE) + "#" + seq;
            final ReduceOp[] ops = ReduceOp.values();
            throw transport.failure(op, peer, hosts[peer], "it is in allreduce#" + peerSeq + " of " + peerCount
                + " floats (" + (peerOp >= 0 && peerOp < ops.length ? ops[peerOp] : "op " + peerOp) + "), this rank in "
                + op + " of " + n + " floats (" + reduceOp + "): every rank must call the same collectives in the "
                + "same order with the same lengths", null);
        }
    }

    /**
     * Folds this rank's segment of the piece: in the ring's order, {@code acc = a[r]} then
     * {@code acc = op(a[r+k], acc)} for k = 1..N-1; or, for arrays the small-message path would take, in rank order,
     * {@code acc = a[0]} then {@code acc = op(acc, a[k])}. Either way the same expression as that path, to the bit.
     */
    private void reduceOwnSegment(final float[] array, final int index, final long address, final ReduceOp reduceOp,
        final boolean rankOrder, final int piece, final int segBase, final int segRem)
    {
        final int length = pieceLength(rank, piece, segBase, segRem);
        final long start = segmentStart(rank, segBase, segRem) + (long)piece;
        // The result goes back into the next rank's copy of this segment, whose lines were just read and sit in this
        // core's cache: far cheaper than writing them anywhere else (module README).
        final long resultSlot = slot((rank + 1) % size, rank);
        for (int first = 0; first < length; first += SCRATCH_FLOATS)
        {
            final int chunk = Math.min(SCRATCH_FLOATS, length - first);
            final float[] target;
            final int targetIndex;
            if (array != null)
            {
                target = array;
                targetIndex = (int)(index + start + first);
            }
            else
            {
                UnsafeApi.copyMemory(null, address + (start + first) * 4L, acc, FLOAT_ARRAY_BASE, chunk * 4L);
                target = acc;
                targetIndex = 0;
            }
            final long targetOffset = FLOAT_ARRAY_BASE + targetIndex * 4L;
            if (rankOrder)
            {
                if (rank != 0)
                {
                    UnsafeApi.copyMemory(target, targetOffset, self, FLOAT_ARRAY_BASE, chunk * 4L);
                    UnsafeApi.copyMemory(null, slot(0, rank) + first * 4L, target, targetOffset, chunk * 4L);
                }
                for (int k = 1; k < size; k++)
                {
                    final float[] operand = k == rank ? self : in;
                    if (k != rank)
                    {
                        UnsafeApi.copyMemory(null, slot(k, rank) + first * 4L, in, FLOAT_ARRAY_BASE, chunk * 4L);
                    }
                    Reductions.combine(reduceOp, reduceOp == ReduceOp.AVERAGE && k == size - 1, size, target,
                        targetIndex, operand, 0, target, targetIndex, chunk);
                }
            }
            else
            {
                for (int k = 1; k < size; k++)
                {
                    final int p = (rank + k) % size;
                    UnsafeApi.copyMemory(null, slot(p, rank) + first * 4L, in, FLOAT_ARRAY_BASE, chunk * 4L);
                    Reductions.combine(reduceOp, reduceOp == ReduceOp.AVERAGE && k == size - 1, size, in, 0,
                        target, targetIndex, target, targetIndex, chunk);
                }
            }
            UnsafeApi.copyMemory(target, targetOffset, null, resultSlot + first * 4L, chunk * 4L);
            if (array == null)
            {
                UnsafeApi.copyMemory(acc, FLOAT_ARRAY_BASE, null, address + (start + first) * 4L, chunk * 4L);
            }
        }
    }

    /** Address of segment {@code segment} of the current piece in the window of rank {@code owner}. */
    private long slot(final int owner, final int segment)
    {
        return windows[owner] + HEADER_LENGTH + cursor + segment * stride;
    }

    private int pieceLength(final int segment, final int piece, final int segBase, final int segRem)
    {
        final int length = segBase + (segment < segRem ? 1 : 0);
        return Math.min(pieceFloats, length - piece);
    }

    private static long segmentStart(final int segment, final int segBase, final int segRem)
    {
        return (long)segment * segBase + Math.min(segment, segRem);
    }

    private static void copyOut(final float[] array, final int index, final long address, final long from,
        final long dst, final int length)
    {
        if (array != null)
        {
            UnsafeApi.copyMemory(array, FLOAT_ARRAY_BASE + (index + from) * 4L, null, dst, length * 4L);
        }
        else
        {
            UnsafeApi.copyMemory(null, address + from * 4L, null, dst, length * 4L);
        }
    }

    private static void copyIn(final long src, final float[] array, final int index, final long address,
        final long to, final int length)
    {
        if (array != null)
        {
            UnsafeApi.copyMemory(null, src, array, FLOAT_ARRAY_BASE + (index + to) * 4L, length * 4L);
        }
        else
        {
            UnsafeApi.copyMemory(null, src, null, address + to * 4L, length * 4L);
        }
    }

    private void await(final int peer, final int counterOffset, final long value, final long timeoutNs,
        final String what)
    {
        final long counter = windows[peer] + counterOffset;
        if (UnsafeApi.getLongVolatile(null, counter) >= value)
        {
            return;
        }
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        while (UnsafeApi.getLongVolatile(null, counter) < value)
        {
            if (clock.nanoTime() - deadlineNs > 0)
            {
                final String op = Frame.kindName(Frame.KIND_ALLREDUCE) + "#" + opSeq;
                throw new PeerTimeoutException(transport.message(op, peer, hosts[peer], "silent in shared memory for "
                    + timeoutNs / 1e9 + " s; waiting for it " + what + " (shared-memory piece " + value
                    + "; did it exit, or call another collective?)"),
                    peer, hosts[peer], op);
            }
            idle.idle();
        }
        idle.reset();
    }

    /** Unmaps every window and deletes this rank's file. Call only when no collective runs. */
    @Override
    public void close()
    {
        for (int i = 0; i < size; i++)
        {
            if (mapped[i] != null)
            {
                IoUtil.unmap(mapped[i]);
                mapped[i] = null;
            }
        }
        IoUtil.deleteIfExists(file);
    }
}
