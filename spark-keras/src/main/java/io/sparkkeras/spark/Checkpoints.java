package io.sparkkeras.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-epoch model checkpoints in a directory of any Hadoop file system ({@code file:}, {@code hdfs:}, ...):
 * {@code epoch-0003.keras} holds the model after 3 epochs. Written by rank 0 to a temporary name and renamed, so a
 * reader never sees half a file; a retried stage resumes from the highest epoch found.
 */
final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("epoch-(\\d+)\\.keras");

    private final Path dir;

    Checkpoints(String dir) {
        this.dir = new Path(dir);
    }

    private FileSystem fs() throws IOException {
        return dir.getFileSystem(new Configuration());
    }

    /** The highest epoch with a checkpoint, or 0 if none. */
    int latestEpoch() {
        try {
            FileSystem fs = fs();
            if (!fs.exists(dir)) {
                return 0;
            }
            int best = 0;
            for (FileStatus s : fs.listStatus(dir)) {
                Matcher m = NAME.matcher(s.getPath().getName());
                if (m.matches()) {
                    best = Math.max(best, Integer.parseInt(m.group(1)));
                }
            }
            return best;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list checkpoints in " + dir, e);
        }
    }

    Path path(int epoch) {
        return new Path(dir, String.format("epoch-%04d.keras", epoch));
    }

    byte[] read(int epoch) {
        Path p = path(epoch);
        try {
            FileSystem fs = fs();
            byte[] b = new byte[Math.toIntExact(fs.getFileStatus(p).getLen())];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(b);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read checkpoint " + p, e);
        }
    }

    void write(int epoch, byte[] bytes) {
        Path p = path(epoch);
        Path tmp = new Path(dir, "." + p.getName() + ".tmp");
        try {
            FileSystem fs = fs();
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            fs.delete(p, false);
            if (!fs.rename(tmp, p)) {
                throw new IOException("rename " + tmp + " -> " + p + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint " + p, e);
        }
    }
}
