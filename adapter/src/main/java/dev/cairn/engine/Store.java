package dev.cairn.engine;

import dev.cairn.engine.commit.GroupCommitter;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.record.CommitRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Cairn store: keys and values in one file, committed atomically and durably.
 *
 * <p>Interim engine. The file is a header followed by commit records
 * ({@link CommitRecord}); an in-memory index maps each live key to where its
 * value lies in the file, so values stay on disk. The block engine (arenas,
 * allocation log, superblocks, the Bε-tree) replaces the file format behind
 * this same API.
 *
 * <p>Isolation is read-committed: a transaction sees its own writes and the
 * latest committed value of every other key; concurrent writers of one key
 * end with the last committer's value. Snapshot isolation comes with the tree.
 *
 * <p>Thread safety: a store is shared by many threads; each {@link Txn}
 * belongs to one thread at a time. The index is a concurrent map written only
 * by the commit task, in file order.
 */
public final class Store implements AutoCloseable {

    /** Longest key, in bytes. */
    public static final int MAX_KEY_BYTES = 256;

    /** First 8 bytes of every interim-format store file. */
    private static final byte[] FILE_MAGIC = "CAIRN-L1".getBytes(StandardCharsets.US_ASCII);
    private static final int FILE_HEADER_BYTES = 16;

    private final StoreFile file;
    private final StoreConfig config;
    private final GroupCommitter committer;
    /** Live key to the file offset of its entry, and the value's length. */
    private final Index index;
    private volatile boolean closed;

    private record Location(long entryOffset, int valueLength) {
    }

    /** Live keys and where their values lie; written only in file order. */
    private static final class Index {
        final ConcurrentSkipListMap<byte[], Location> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
        final AtomicLong liveKeys = new AtomicLong();

        /** Applies one durable commit. */
        void apply(ByteBuffer payload, long recordOffset) {
            for (CommitRecord.Entry e : CommitRecord.entries(payload, recordOffset)) {
                if (e.op() == CommitRecord.OP_PUT) {
                    if (map.put(e.key(), new Location(e.entryOffset(), e.valueLength())) == null) {
                        liveKeys.incrementAndGet();
                    }
                } else if (map.remove(e.key()) != null) {
                    liveKeys.decrementAndGet();
                }
            }
        }
    }

    private Store(StoreFile file, StoreConfig config, Index index, long tail) {
        this.file = file;
        this.config = config;
        this.index = index;
        this.committer = new GroupCommitter(file, config.workers(), tail);
    }

    /** Formats a new store at {@code path}; fails when the file exists. */
    public static Store create(Path path, StoreConfig config) {
        StoreFile f;
        try {
            f = StoreFile.create(path, config.channelOpener());
        } catch (FileAlreadyExistsException e) {
            throw new CairnException("cannot create store " + path + ": the file exists already");
        } catch (IOException e) {
            throw new CairnException("cannot create store " + path + ": " + e, e);
        }
        try {
            ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_BYTES).put(FILE_MAGIC).putInt(1).putInt(0).flip();
            f.write(header, 0);
            f.force();
            return new Store(f, config, new Index(), FILE_HEADER_BYTES);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Opens an existing store and recovers it: every commit whose force
     * completed is there; a torn commit at the end (a crash mid-write) is
     * cut off; corruption anywhere else refuses the open.
     */
    public static Store open(Path path, StoreConfig config) {
        StoreFile f;
        try {
            f = StoreFile.open(path, config.channelOpener());
        } catch (NoSuchFileException e) {
            throw new CairnException("cannot open store " + path + ": no such file");
        } catch (IOException e) {
            throw new CairnException("cannot open store " + path + ": " + e, e);
        }
        try {
            return recover(f, config);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Opens the store at {@code path}, creating it when there is no file. */
    public static Store openOrCreate(Path path, StoreConfig config) {
        if (path.toFile().exists()) {
            return open(path, config);
        }
        return create(path, config);
    }

    private static Store recover(StoreFile f, StoreConfig config) {
        long size = f.size();
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_BYTES);
        if (size < FILE_HEADER_BYTES) {
            throw new StoreFormatException(f.path() + " is not a Cairn store: " + size + " bytes is too short");
        }
        f.read(header, 0);
        if (!Arrays.equals(Arrays.copyOf(header.array(), FILE_MAGIC.length), FILE_MAGIC)) {
            throw new StoreFormatException(f.path() + " is not a Cairn store (no CAIRN-L1 header)");
        }
        Index index = new Index();
        long pos = FILE_HEADER_BYTES;
        ByteBuffer recHeader = ByteBuffer.allocate(CommitRecord.HEADER_BYTES);
        while (pos < size) {
            recHeader.clear();
            if (size - pos < CommitRecord.HEADER_BYTES) {
                break; // torn header
            }
            f.read(recHeader, pos);
            recHeader.flip();
            int length = CommitRecord.payloadLength(recHeader);
            long end = pos + CommitRecord.HEADER_BYTES + (long) length;
            if (length < 4 || end > size) {
                break; // torn: the record runs past the end of the file
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            f.read(payload, pos + CommitRecord.HEADER_BYTES);
            payload.flip();
            if (!CommitRecord.verify(recHeader, payload)) {
                if (end == size) {
                    break; // torn: the last record, partly written
                }
                throw new CorruptBlockException("commit record at offset " + pos + " of " + f.path()
                        + " is corrupt: its hash does not match, and committed data follows it");
            }
            index.apply(payload, pos);
            pos = end;
        }
        if (pos < size) {
            f.truncate(pos);
        }
        return new Store(f, config, index, pos);
    }

    /** Starts a transaction. */
    public Txn begin() {
        checkOpen();
        return new Txn(this);
    }

    /** The latest committed value of {@code key}, or null. */
    byte[] readCommitted(byte[] key) {
        checkOpen();
        Location loc = index.map.get(key);
        if (loc == null) {
            return null;
        }
        ByteBuffer entry = ByteBuffer.allocate(CommitRecord.ENTRY_HEADER_BYTES + key.length + loc.valueLength());
        file.read(entry, loc.entryOffset());
        byte[] value = CommitRecord.valueIfIntact(entry, key.length, loc.valueLength());
        if (value == null) {
            throw new CorruptBlockException("entry at offset " + loc.entryOffset() + " of " + file.path()
                    + " is corrupt: its hash does not match");
        }
        return value;
    }

    /** Makes {@code writes} durable and visible; null values are deletes. */
    void commit(Map<byte[], byte[]> writes) {
        checkOpen();
        ByteBuffer record = CommitRecord.encode(writes);
        ByteBuffer payload = record.duplicate().position(CommitRecord.HEADER_BYTES).slice();
        committer.submit(record, offset -> index.apply(payload, offset));
    }

    void validateKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new InvalidKeyException("key is empty");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new InvalidKeyException("key is " + key.length + " bytes, longer than the " + MAX_KEY_BYTES + " allowed");
        }
    }

    void validateValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value is null; use delete to remove a key");
        }
        if (value.length > config.maxValueBytes()) {
            throw new ValueTooLargeException("value is " + value.length + " bytes, larger than the "
                    + config.maxValueBytes() + " this store accepts");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("store " + file.path() + " is closed");
        }
    }

    public Path path() {
        return file.path();
    }

    public boolean isReadOnly() {
        return file.isReadOnly();
    }

    public StoreStats stats() {
        return new StoreStats(index.liveKeys.get(), committer.commits(), committer.syncs(),
                committer.durableBytes(), file.isReadOnly());
    }

    /**
     * Waits for commits under way, then releases the file. Every commit that
     * returned is already durable, so close has nothing more to force.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        committer.close();
        file.close();
    }
}
