package dev.cairn.engine.explore;

import dev.cairn.engine.disk.ForwardingChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real file whose every write and force is a scheduling point
 * ({@link Scheduler#point}) and is recorded, in the order it reached the
 * file (write and record under one lock), for {@code CrashImages}.
 */
final class ScheduledChannel extends ForwardingChannel {

    private final Scheduler scheduler;
    private final List<RecordingChannel.Event> events = new ArrayList<>();

    ScheduledChannel(FileChannel real, Scheduler scheduler) {
        super(real);
        this.scheduler = scheduler;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        scheduler.point();
        synchronized (events) {
            byte[] copy = new byte[src.remaining()];
            src.duplicate().get(copy);
            int n = real.write(src, position);
            events.add(new RecordingChannel.Event(position, Arrays.copyOf(copy, n)));
            return n;
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        scheduler.point();
        synchronized (events) {
            real.force(metaData);
            events.add(new RecordingChannel.Event(-1, null));
        }
    }

    int eventCount() {
        synchronized (events) {
            return events.size();
        }
    }

    List<RecordingChannel.Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }
}
