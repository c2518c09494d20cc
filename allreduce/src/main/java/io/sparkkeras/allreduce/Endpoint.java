package io.sparkkeras.allreduce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where one rank can be reached: a host and UDP port for peers on other hosts, and the Aeron driver directory that
 * peers on the same host publish into over IPC.
 *
 * <p>Its text form, {@code host:port/absolute/driver/dir}, is what ranks exchange at rendezvous (for example through
 * Spark's {@code BarrierTaskContext.allGather}); {@link #parse(String)} reads it back.
 *
 * <pre>{@code
 * Endpoint me = Endpoint.local("127.0.0.1");      // a UDP port held for it, fresh directory under /dev/shm
 * String wire = me.toString();                    // "127.0.0.1:40123/dev/shm/sk-allreduce-4711-9f3a..."
 * List<Endpoint> all = Endpoint.parseAll(gatheredStrings);
 * }</pre>
 */
public final class Endpoint
{
    /**
     * The UDP sockets holding the ports of endpoints made by {@link #local} and {@link #localGroup}, by port (a port
     * is held once at most): no other process can take a port during the rendezvous, and the {@link Communicator}
     * that binds it closes the socket just before. Keyed by port, not host text, so the endpoint parsed back from
     * the rendezvous finds the hold whatever spelling of the host it carries.
     */
    private static final ConcurrentHashMap<Integer, DatagramSocket> HELD = new ConcurrentHashMap<>();

    private final String host;
    private final int port;
    private final String ipcDirectory;
    /** The socket holding {@link #port} for an endpoint made by {@link #local}; null otherwise. */
    private final DatagramSocket held;

    /**
     * @param host         host name or address peers use for UDP, e.g. {@code "127.0.0.1"}.
     * @param port         UDP port in 1..65535 this rank's subscription binds.
     * @param ipcDirectory absolute path of this rank's Aeron driver directory.
     */
    public Endpoint(final String host, final int port, final String ipcDirectory)
    {
        check(host, port, ipcDirectory);
        this.host = host;
        this.port = port;
        this.ipcDirectory = ipcDirectory;
        this.held = null;
    }

    private Endpoint(final String host, final DatagramSocket held, final String ipcDirectory)
    {
        this.host = host;
        this.port = held.getLocalPort();
        this.ipcDirectory = ipcDirectory;
        this.held = held;
    }

    private static void check(final String host, final int port, final String ipcDirectory)
    {
        if (host == null || host.isEmpty() || host.indexOf('/') >= 0)
        {
            throw new IllegalArgumentException(
                "Received an invalid value for `host`, expected a host name or address. Received: host=" + host);
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException(
                "Received an invalid value for `port`, expected 1..65535. Received: port=" + port);
        }
        if (ipcDirectory == null || !ipcDirectory.startsWith("/"))
        {
            throw new IllegalArgumentException("Received an invalid value for `ipcDirectory`, expected an absolute "
                + "path. Received: ipcDirectory=" + ipcDirectory);
        }
    }

    /**
     * An endpoint on this machine with a UDP port held for it and a new driver directory under
     * {@link DriverDirectories#defaultBaseDirectory()}. The port stays bound by this process until a
     * {@link Communicator} on this endpoint starts or fails to (or {@link #releasePort()}), so the time a rendezvous
     * takes cannot let another process take it.
     *
     * @param host the address peers use to reach this process, e.g. {@code "127.0.0.1"}.
     * @return a new endpoint; its directory does not exist until a {@link Communicator} starts its driver there.
     */
    public static Endpoint local(final String host)
    {
        final String directory = DriverDirectories.newDirectory(DriverDirectories.defaultBaseDirectory())
            .getAbsolutePath();
        check(host, 1, directory);   // before the port is held, so a bad host holds nothing
        return new Endpoint(host, holdUdpPort(host), directory);
    }

    /**
     * A group of {@code ranks} endpoints on this machine (loopback), for tests and single-host runs.
     *
     * @param ranks         how many.
     * @param baseDirectory where the driver directories go, e.g. {@code /dev/shm}.
     * @return one endpoint per rank, each with its own port (held, as by {@link #local}) and directory.
     */
    public static List<Endpoint> localGroup(final int ranks, final java.io.File baseDirectory)
    {
        final List<Endpoint> endpoints = new ArrayList<>(ranks);
        try
        {
            for (int i = 0; i < ranks; i++)
            {
                final String directory = DriverDirectories.newDirectory(baseDirectory).getAbsolutePath();
                endpoints.add(new Endpoint("127.0.0.1", holdUdpPort("127.0.0.1"), directory));
            }
        }
        catch (final RuntimeException ex)
        {
            endpoints.forEach(Endpoint::releasePort);
            throw ex;
        }
        return endpoints;
    }

    /**
     * Reads the form written by {@link #toString()}.
     *
     * @param text {@code host:port/absolute/dir}.
     * @return the endpoint.
     */
    public static Endpoint parse(final String text)
    {
        final int slash = text == null ? -1 : text.indexOf('/');
        final int colon = slash < 0 ? -1 : text.lastIndexOf(':', slash);
        if (colon <= 0)
        {
            throw new IllegalArgumentException("Received an invalid endpoint, expected host:port/absolute/dir. "
                + "Received: endpoint=" + text);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1, slash));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("Received an invalid endpoint port, expected a number. "
                + "Received: endpoint=" + text, ex);
        }
        return new Endpoint(text.substring(0, colon), port, text.substring(slash));
    }

    /**
     * Parses each element with {@link #parse(String)}.
     *
     * @param texts endpoints in rank order.
     * @return the endpoints in the same order.
     */
    public static List<Endpoint> parseAll(final List<String> texts)
    {
        final List<Endpoint> endpoints = new ArrayList<>(texts.size());
        for (final String text : texts)
        {
            endpoints.add(parse(text));
        }
        return endpoints;
    }

    /** @return the host peers use for UDP. */
    public String host()
    {
        return host;
    }

    /** @return the UDP port. */
    public int port()
    {
        return port;
    }

    /** @return the Aeron driver directory (absolute). */
    public String ipcDirectory()
    {
        return ipcDirectory;
    }

    /**
     * Lets go of the UDP port {@link #local} holds for this endpoint, for a process that will not start a
     * {@link Communicator} on it after all (a failed rendezvous). Safe to call after the communicator started, and more
     * than once: it then does nothing, even if the port has since been held for another endpoint. Does nothing on an
     * endpoint made otherwise ({@link #parse}, the constructor).
     */
    public void releasePort()
    {
        if (held != null && HELD.remove(port, held))
        {
            held.close();
        }
    }

    /**
     * Lets go of the hold on {@code port}, if this process has one: called by the communicator on its own endpoint
     * (parsed back from the rendezvous, so without the socket) just before its driver binds the port, or when it
     * fails to start.
     */
    static void releaseHeldPort(final int port)
    {
        final DatagramSocket socket = HELD.remove(port);
        if (socket != null)
        {
            socket.close();
        }
    }

    /** Binds a UDP socket to an ephemeral port of {@code host}, held until released; a port held already is skipped. */
    private static DatagramSocket holdUdpPort(final String host)
    {
        final List<DatagramSocket> skipped = new ArrayList<>();
        try
        {
            while (true)
            {
                final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
                if (HELD.putIfAbsent(socket.getLocalPort(), socket) == null)
                {
                    return socket;
                }
                skipped.add(socket);   // the same number held on another address: keep it bound so the next differs
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not bind a UDP port on host=" + host, ex);
        }
        finally
        {
            skipped.forEach(DatagramSocket::close);
        }
    }

    /** A port free at the time of the call (another process may take it before it is bound: tests only). */
    static int freeUdpPort(final String host)
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not find a free UDP port on host=" + host, ex);
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Endpoint))
        {
            return false;
        }
        final Endpoint that = (Endpoint)o;
        return port == that.port && host.equals(that.host) && ipcDirectory.equals(that.ipcDirectory);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(host, port, ipcDirectory);
    }

    @Override
    public String toString()
    {
        return host + ":" + port + ipcDirectory;
    }
}
