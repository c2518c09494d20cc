package io.sparkkeras.allreduce;

/**
 * The wire header every message of this module starts with (little-endian, 32 bytes, so float payloads stay
 * 8-byte aligned behind Aeron's own 32-byte header).
 *
 * <pre>
 *  0 byte  version        {@link #VERSION}; other versions are dropped and counted
 *  1 byte  type           HELLO, DATA or GATHER
 *  2 short source rank
 *  4 int   op sequence    per communicator, +1 per collective; frames of a later op are left unread
 *  8 long  job hash       first 8 bytes of SHA-256(job id)
 * 16 long  frame token    first 8 bytes of HMAC-SHA256(secret, "frame" + job id); proves the job secret
 * 24 short step           ring step within the op
 * 26 byte  kind           collective kind (allreduce, broadcast, allgather, barrier, small-message allreduce)
 * 27 byte  reduce op      {@link ReduceOp#ordinal()} for both allreduce kinds
 * 28 int   index          chunk index within the step (DATA), payload length (GATHER)
 * 32 ...   payload
 * </pre>
 */
final class Frame
{
    static final byte VERSION = 1;

    static final byte TYPE_HELLO = 1;
    static final byte TYPE_DATA = 2;
    static final byte TYPE_GATHER = 3;

    static final byte KIND_ALLREDUCE = 1;
    static final byte KIND_BROADCAST = 2;
    static final byte KIND_ALLGATHER = 3;
    static final byte KIND_BARRIER = 4;
    /** Small-message allreduce: whole arrays go round the ring, each rank reduces them in rank order. */
    static final byte KIND_ALLREDUCE_SMALL = 5;

    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = 1;
    static final int SOURCE_OFFSET = 2;
    static final int SEQ_OFFSET = 4;
    static final int JOB_OFFSET = 8;
    static final int TOKEN_OFFSET = 16;
    static final int STEP_OFFSET = 24;
    static final int KIND_OFFSET = 26;
    static final int REDUCE_OFFSET = 27;
    static final int INDEX_OFFSET = 28;
    static final int HEADER_LENGTH = 32;

    /**
     * HELLO payload: destination rank, group size, chunk floats, small-message allreduce threshold in bytes (0 in
     * senders older than that path, which are then refused), shared-memory window in bytes (0 when the sender does
     * not use one), 4 bytes of padding, nonce, 32-byte HMAC tag.
     */
    static final int HELLO_DEST_OFFSET = HEADER_LENGTH;
    static final int HELLO_SIZE_OFFSET = HEADER_LENGTH + 4;
    static final int HELLO_CHUNK_OFFSET = HEADER_LENGTH + 8;
    static final int HELLO_SMALL_OFFSET = HEADER_LENGTH + 12;
    static final int HELLO_WINDOW_OFFSET = HEADER_LENGTH + 16;
    static final int HELLO_NONCE_OFFSET = HEADER_LENGTH + 24;
    static final int HELLO_TAG_OFFSET = HEADER_LENGTH + 32;
    static final int HELLO_LENGTH = HELLO_TAG_OFFSET + 32;

    private Frame()
    {
    }

    static String kindName(final int kind)
    {
        switch (kind)
        {
            case KIND_ALLREDUCE: return "allreduce";
            case KIND_BROADCAST: return "broadcast";
            case KIND_ALLGATHER: return "allgather";
            case KIND_BARRIER: return "barrier";
            case KIND_ALLREDUCE_SMALL: return "allreduce(small)";
            default: return "kind(" + kind + ")";
        }
    }
}
