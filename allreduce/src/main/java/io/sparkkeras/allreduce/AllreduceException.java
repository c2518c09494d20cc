package io.sparkkeras.allreduce;

/**
 * A collective failed: a peer refused to join, broke the protocol, or the local transport failed.
 *
 * <p>The message and the accessors name the peer rank, its host and the operation. After one of these the
 * {@link Communicator} is failed: close it and build a new one.
 */
public class AllreduceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int peerRank;
    private final String peerHost;
    private final String operation;

    /**
     * @param message   full text, naming rank, host and operation.
     * @param peerRank  the rank blamed, or -1 if none.
     * @param peerHost  that rank's host, or {@code ""}.
     * @param operation the collective, e.g. {@code "allreduce#12"}.
     * @param cause     the underlying error, or null.
     */
    public AllreduceException(
        final String message, final int peerRank, final String peerHost, final String operation, final Throwable cause)
    {
        super(message, cause);
        this.peerRank = peerRank;
        this.peerHost = peerHost;
        this.operation = operation;
    }

    /** @return the rank this failure is blamed on, or -1. */
    public int peerRank()
    {
        return peerRank;
    }

    /** @return the host of {@link #peerRank()}. */
    public String peerHost()
    {
        return peerHost;
    }

    /** @return the operation that failed, e.g. {@code "allreduce#12"} or {@code "join"}. */
    public String operation()
    {
        return operation;
    }
}
