package io.sparkkeras.allreduce;

/**
 * Which Aeron media a ring link uses.
 *
 * <p>{@code AUTO} (the default) picks IPC for a neighbour whose endpoint names the same host, and UDP otherwise.
 * {@code IPC} requires every neighbour to be on this host; {@code UDP} uses UDP even on one host (for tests and
 * benchmarks).
 */
public enum Transport
{
    /** IPC to neighbours on the same host, UDP to the others. */
    AUTO,
    /** Aeron IPC through the neighbour's driver directory; all ranks on one host. */
    IPC,
    /** Aeron UDP unicast with a large MTU, also between ranks on one host. */
    UDP
}
