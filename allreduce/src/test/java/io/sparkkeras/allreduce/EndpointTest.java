package io.sparkkeras.allreduce;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A local endpoint's UDP port is held from its making until a communicator binds it, and never leaked. */
class EndpointTest
{
    private static void bindAndClose(final int port) throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port)))
        {
            assertEquals(port, socket.getLocalPort());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aLocalEndpointsPortIsHeldUntilItsCommunicatorBindsIt() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("endpoint");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(2, base);
            // During the rendezvous no other process can take the ports.
            for (final Endpoint e : endpoints)
            {
                assertThrows(BindException.class,
                    () -> new DatagramSocket(new InetSocketAddress("127.0.0.1", e.port())).close());
            }
            final List<Communicator.Context> contexts = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                contexts.add(RankGroup.context(r, endpoints, Transport.UDP));
            }
            RankGroup.runContexts(contexts, comm ->
            {
                final float[] a = RankGroup.data(comm.rank(), 1001);
                comm.allreduce(a, ReduceOp.SUM);
                RankGroup.check("udp", ReduceOp.SUM, 2, comm.rank(), a, 0, a.length);
            });
            // Closed communicators hold nothing.
            for (final Endpoint e : endpoints)
            {
                bindAndClose(e.port());
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGroupOfOneAFailedStartAndReleasePortLetThePortGo() throws Exception
    {
        final Endpoint alone = Endpoint.local("127.0.0.1");
        try (Communicator comm = new Communicator(RankGroup.context(0, List.of(alone), Transport.AUTO)))
        {
            bindAndClose(alone.port());   // one rank binds no port: its hold is gone once it starts
        }
        // A communicator that fails to start (here on a bad option) lets go of its port too.
        final Endpoint refused = Endpoint.local("127.0.0.1");
        final Endpoint peer = Endpoint.local("127.0.0.1");
        assertThrows(IllegalArgumentException.class, () -> new Communicator(
            RankGroup.context(0, List.of(refused, peer), Transport.UDP).mtuLength(7)));
        bindAndClose(refused.port());
        peer.releasePort();
        final Endpoint unused = Endpoint.local("127.0.0.1");
        assertThrows(BindException.class,
            () -> new DatagramSocket(new InetSocketAddress("127.0.0.1", unused.port())).close());
        unused.releasePort();
        bindAndClose(unused.port());
        // Twice is fine, and a late release lets go of nothing held for another endpoint since.
        final Endpoint other = Endpoint.local("127.0.0.1");
        unused.releasePort();
        assertThrows(BindException.class,
            () -> new DatagramSocket(new InetSocketAddress("127.0.0.1", other.port())).close());
        other.releasePort();
    }
}
