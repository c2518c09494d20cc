package io.sparkkeras.allreduce;

/**
 * A peer made no progress within the timeout: it died, hung, or never called the same collective.
 *
 * <pre>{@code
 * try {
 *     comm.allreduce(gradients, ReduceOp.AVERAGE);
 * } catch (PeerTimeoutException e) {
 *     log.error("step failed, rank {} on {} silent in {}", e.peerRank(), e.peerHost(), e.operation());
 * }
 * }</pre>
 */
public final class PeerTimeoutException extends AllreduceException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message   full text, naming rank, host and operation.
     * @param peerRank  the neighbour this rank was waiting on.
     * @param peerHost  its host.
     * @param operation the collective, e.g. {@code "allreduce#12"}.
     */
    public PeerTimeoutException(final String message, final int peerRank, final String peerHost, final String operation)
    {
        super(message, peerRank, peerHost, operation, null);
    }
}
