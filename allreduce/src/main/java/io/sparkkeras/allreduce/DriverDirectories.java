package io.sparkkeras.allreduce;

import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names and cleans up the Aeron driver directories of this module.
 *
 * <p>A directory is named {@code sk-allreduce-<pid>-<random>}, where {@code pid} is the process that owns it. A
 * communicator removes its own directory on close; a process killed with {@code SIGKILL} cannot, so every
 * communicator that starts or closes also removes directories of this name whose owner process is no longer alive
 * ({@link #reapStale(File)}). Nothing else in the base directory is touched.
 */
public final class DriverDirectories
{
    /** Prefix of every directory this module creates. */
    public static final String PREFIX = "sk-allreduce-";

    private DriverDirectories()
    {
    }

    /**
     * {@code /dev/shm} when it is a writable directory (Linux tmpfs: fastest for log buffers), else
     * {@code java.io.tmpdir}. A small {@code /dev/shm} makes Aeron fail when it maps log buffers: give it at least
     * 3 x term length per neighbour.
     *
     * @return the base directory for new driver directories.
     */
    public static File defaultBaseDirectory()
    {
        final File shm = new File("/dev/shm");
        if (shm.isDirectory() && shm.canWrite())
        {
            return shm;
        }
        return new File(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @param baseDirectory parent directory.
     * @return a new, not yet created, directory path owned by this process.
     */
    public static File newDirectory(final File baseDirectory)
    {
        return new File(baseDirectory, PREFIX + ProcessHandle.current().pid() + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    }

    /**
     * Deletes directories named by {@link #newDirectory(File)} whose owning process has exited.
     *
     * @param baseDirectory where to look.
     * @return how many were deleted.
     */
    public static int reapStale(final File baseDirectory)
    {
        final File[] entries = baseDirectory == null ? null : baseDirectory.listFiles();
        if (entries == null)
        {
            return 0;
        }
        int reaped = 0;
        for (final File entry : entries)
        {
            final long pid = ownerPid(entry.getName());
            if (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                IoUtil.delete(entry, true);
                reaped++;
            }
        }
        return reaped;
    }

    static long ownerPid(final String name)
    {
        if (!name.startsWith(PREFIX))
        {
            return -1;
        }
        final int end = name.indexOf('-', PREFIX.length());
        try
        {
            return Long.parseLong(end < 0 ? name.substring(PREFIX.length()) : name.substring(PREFIX.length(), end));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
