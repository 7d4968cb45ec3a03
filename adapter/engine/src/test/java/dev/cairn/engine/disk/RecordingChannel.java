package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real file channel that records every positional write (its bytes) and
 * every force, in order, so a test can rebuild the disk as a crash at any
 * point would have left it.
 */
public final class RecordingChannel extends FaultyChannel {

    /** A write (bytes != null) or a force (bytes == null). */
    public record Event(long position, byte[] bytes) {
        public boolean isForce() {
            return bytes == null;
        }
    }

    private final List<Event> events = new ArrayList<>();

    public RecordingChannel(FileChannel real) {
        super(real);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        int n = super.write(src, position);
        synchronized (events) {
            events.add(new Event(position, Arrays.copyOf(copy, n)));
        }
        return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        super.force(metaData);
        synchronized (events) {
            events.add(new Event(-1, null));
        }
    }

    public int eventCount() {
        synchronized (events) {
            return events.size();
        }
    }

    public List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }
}
