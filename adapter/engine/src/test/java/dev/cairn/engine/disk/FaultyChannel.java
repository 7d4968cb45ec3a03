package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real {@link FileChannel} with faults on cue: the n-th write or force from
 * now throws, as a dying disk or a full file system would. Everything else
 * passes through to the real file.
 */
public class FaultyChannel extends ForwardingChannel {

    /** Writes left before one fails; negative: never. */
    public final AtomicInteger writesUntilFailure = new AtomicInteger(-1);
    /** Forces left before one fails; negative: never. */
    public final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
    public final AtomicInteger forces = new AtomicInteger();
    /** Writes left before one fails with an unchecked exception (not an IOException); negative: never. */
    public final AtomicInteger writesUntilUncheckedFailure = new AtomicInteger(-1);
    /** Run (once) inside the next force, before it reaches the disk. */
    public final AtomicReference<Runnable> onNextForce =
            new AtomicReference<>();

    public FaultyChannel(FileChannel real) {
        super(real);
    }

    private static boolean due(AtomicInteger countdown) {
        return countdown.get() >= 0 && countdown.getAndDecrement() == 0;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (due(writesUntilFailure)) {
            throw new IOException("injected write failure");
        }
        if (due(writesUntilUncheckedFailure)) {
            throw new IllegalStateException("injected unchecked write failure");
        }
        return real.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        Runnable hook = onNextForce.getAndSet(null);
        if (hook != null) {
            hook.run();
        }
        if (due(forcesUntilFailure)) {
            throw new IOException("injected fsync failure");
        }
        forces.incrementAndGet();
        real.force(metaData);
    }
}
