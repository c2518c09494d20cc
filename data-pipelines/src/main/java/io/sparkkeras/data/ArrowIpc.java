package io.sparkkeras.data;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.VectorLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * Arrow IPC files ({@code .arrow}, random access) and streams in the {@link BatchLayout}: writing a source out, and
 * reading one back as an {@link ArrowSource} whose passes stream record batches without copying.
 *
 * <pre>{@code
 * ArrowIpc.writeFile(table, path);
 * try (ArrowSource file = ArrowIpc.file(path, allocator);
 *      ArrowDataset data = ArrowDataset.builder(file).batchSize(128).build()) { ... }
 * }</pre>
 */
public final class ArrowIpc {
    private ArrowIpc() {
    }

    /** Writes every chunk of {@code source} as one record batch of an IPC file. */
    public static void writeFile(ArrowSource source, Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(source, (root) -> new ArrowFileWriter(root, null, ch));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write Arrow IPC file " + path, e);
        }
    }

    /** Writes every chunk of {@code source} to an IPC stream; {@code out} stays open. */
    public static void writeStream(ArrowSource source, OutputStream out) {
        try {
            write(source, (root) -> new ArrowStreamWriter(root, null, Channels.newChannel(out)));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write Arrow IPC stream", e);
        }
    }

    private interface WriterFactory {
        ArrowWriter create(VectorSchemaRoot root) throws IOException;
    }

    private static void write(ArrowSource source, WriterFactory factory) throws IOException {
        BatchLayout layout = source.layout();
        try (ArrowChunkReader reader = source.open()) {
            VectorSchemaRoot first = reader.next();
            if (first == null) {
                // An empty source: write the schema alone.
                try (org.apache.arrow.memory.RootAllocator a = new org.apache.arrow.memory.RootAllocator();
                     VectorSchemaRoot empty = layout.newRoot(a, 0);
                     ArrowWriter w = factory.create(empty)) {
                    w.start();
                    w.end();
                }
                return;
            }
            // The writer writes from its own root; each chunk's buffers are loaded into it (shared, not copied).
            try (VectorSchemaRoot out = VectorSchemaRoot.create(layout.schema(), first.getVector(0).getAllocator());
                 ArrowWriter w = factory.create(out)) {
                w.start();
                VectorLoader loader = new VectorLoader(out);
                for (VectorSchemaRoot c = first; c != null; c = reader.next()) {
                    try (ArrowRecordBatch batch = new VectorUnloader(c).getRecordBatch()) {
                        loader.load(batch);
                    }
                    w.writeBatch();
                }
                w.end();
            }
        }
    }

    /** An IPC file as a source: each pass opens the file and reads its record batches in turn. */
    public static ArrowSource file(Path path, BufferAllocator allocator) {
        BatchLayout layout;
        long rows = 0;
        try (FileChannel ch = FileChannel.open(path);
             ArrowFileReader r = new ArrowFileReader(ch, allocator)) {
            layout = layoutOf(r, path.toString());
            for (ArrowBlock block : r.getRecordBlocks()) {
                r.loadRecordBatch(block);
                rows += r.getVectorSchemaRoot().getRowCount();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Arrow IPC file " + path, e);
        }
        long rowCount = rows;
        return new ReaderSource(layout, rowCount, () -> {
            try {
                return new ArrowFileReader(FileChannel.open(path), allocator);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open Arrow IPC file " + path, e);
            }
        }, path.toString());
    }

    /**
     * An IPC stream as a source: each pass reads a fresh stream from {@code streams} (row count unknown).
     *
     * @param streams opens the stream anew for each pass; the pass closes it
     */
    public static ArrowSource stream(Supplier<InputStream> streams, BufferAllocator allocator) {
        BatchLayout layout;
        try (ArrowStreamReader r = new ArrowStreamReader(streams.get(), allocator)) {
            layout = layoutOf(r, "stream");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Arrow IPC stream", e);
        }
        return new ReaderSource(layout, -1, () -> new ArrowStreamReader(streams.get(), allocator), "stream");
    }

    private static BatchLayout layoutOf(ArrowReader r, String what) throws IOException {
        try {
            return BatchLayout.of(r.getVectorSchemaRoot().getSchema());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Arrow IPC " + what + ": " + e.getMessage(), e);
        }
    }

    private static final class ReaderSource implements ArrowSource {
        private final BatchLayout layout;
        private final long rowCount;
        private final Supplier<ArrowReader> readers;
        private final String name;

        ReaderSource(BatchLayout layout, long rowCount, Supplier<ArrowReader> readers, String name) {
            this.layout = layout;
            this.rowCount = rowCount;
            this.readers = readers;
            this.name = name;
        }

        @Override
        public BatchLayout layout() {
            return layout;
        }

        @Override
        public long rowCount() {
            return rowCount;
        }

        @Override
        public ArrowChunkReader open() {
            ArrowReader reader = readers.get();
            return new ArrowChunkReader() {
                private boolean closed;

                @Override
                public VectorSchemaRoot next() {
                    if (closed) {
                        return null;
                    }
                    try {
                        if (!reader.loadNextBatch()) {
                            return null;
                        }
                        return reader.getVectorSchemaRoot();
                    } catch (IOException e) {
                        throw new UncheckedIOException("Cannot read a record batch of Arrow IPC " + name, e);
                    }
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        try {
                            reader.close();
                        } catch (IOException e) {
                            throw new UncheckedIOException("Cannot close Arrow IPC " + name, e);
                        }
                    }
                }
            };
        }
    }
}
