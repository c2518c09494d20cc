package io.sparkkeras.allreduce;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** N ranks as child JVMs of the test JVM; always destroyed and cleaned up on close. */
final class ProcessGroup implements AutoCloseable
{
    final File work;
    final File rendezvous;
    final File driverBase;
    final List<Process> processes = new ArrayList<>();
    final List<File> outputs = new ArrayList<>();

    ProcessGroup(final int ranks, final Transport transport, final String scenario, final long peerTimeoutMs,
        final String xmx) throws IOException
    {
        work = RankGroup.newBaseDirectory("proc");
        rendezvous = new File(work, "rdv");
        driverBase = new File(work, "drivers");
        IoUtil.ensureDirectoryExists(rendezvous, "rdv");
        IoUtil.ensureDirectoryExists(driverBase, "drivers");
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        for (int r = 0; r < ranks; r++)
        {
            final File out = new File(work, "rank-" + r + ".log");
            outputs.add(out);
            final ProcessBuilder pb = new ProcessBuilder(java, "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Xmx" + xmx, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), RankProcessMain.class.getName(),
                Integer.toString(r), Integer.toString(ranks), rendezvous.getAbsolutePath(),
                driverBase.getAbsolutePath(), transport.name(), scenario, Long.toString(peerTimeoutMs));
            pb.redirectErrorStream(true).redirectOutput(out);
            processes.add(pb.start());
        }
    }

    String output(final int rank)
    {
        try
        {
            return Files.readString(outputs.get(rank).toPath());
        }
        catch (final IOException ex)
        {
            return "<no output: " + ex + ">";
        }
    }

    boolean awaitLine(final int rank, final String line, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            if (output(rank).contains(line))
            {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Waits for a rank to exit; returns its exit code, or -1 on timeout. */
    int await(final int rank, final long timeoutMs) throws InterruptedException
    {
        final Process p = processes.get(rank);
        return p.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
    }

    String[] driverDirectoriesLeft()
    {
        final String[] left = driverBase.list();
        return left == null ? new String[0] : left;
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final Process p : processes)
        {
            p.destroyForcibly();
        }
        for (final Process p : processes)
        {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        DriverDirectories.reapStale(driverBase);
        IoUtil.delete(work, true);
    }
}
