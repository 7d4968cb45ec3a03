package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.tree.Tree;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The old values of a part of a commit's keys ({@link Tree#getAll}), looked
 * up on another thread while the committer applies the part's new values.
 * The two only read the tree the commit started from, and nothing frees its
 * blocks before the commit is adopted, so they need no lock between them;
 * with a core to spare, the lookup's walk then costs the commit no time.
 *
 * <p>Whoever comes first runs it: the worker, or the committer once it needs
 * the values and no worker has begun. So a commit never waits for a thread
 * the server has not handed out (a busy WorkManager), only for a lookup
 * already under way.
 */
final class OldValueLookup {

    private final BlockAccess store;
    private final Bptr root;
    private final byte[][] keys;
    private final AtomicBoolean begun = new AtomicBoolean();
    private final CompletableFuture<byte[][]> values = new CompletableFuture<>();
    /** A worker was offered the lookup (read by the committer only). */
    private boolean elsewhere;

    private OldValueLookup(BlockAccess store, Bptr root, byte[][] keys) {
        this.store = store;
        this.root = root;
        this.keys = keys;
    }

    /** A lookup the committer runs itself, at {@link #values}. */
    static OldValueLookup here(BlockAccess store, Bptr root, byte[][] keys) {
        return new OldValueLookup(store, root, keys);
    }

    /** A lookup offered to a worker now. */
    static OldValueLookup offered(BlockAccess store, Bptr root, byte[][] keys) {
        OldValueLookup l = new OldValueLookup(store, root, keys); // whole before any other thread sees it
        l.elsewhere = l.offer();
        return l;
    }

    /** Whether a worker was offered the lookup (the committer then has time for other work). */
    boolean offeredElsewhere() {
        return elsewhere;
    }

    private boolean offer() {
        try {
            store.workers().run("cairn-lookup", () -> {
                if (begun.compareAndSet(false, true)) {
                    try {
                        values.complete(Tree.getAll(store, root, keys));
                    } catch (Throwable t) {
                        values.completeExceptionally(t);
                    }
                }
            });
            return true;
        } catch (RuntimeException e) {
            return false; // no thread to be had (CairnException, or a server stopping): the committer looks them up
        }
    }

    /**
     * For a commit that gives up before it asked for the values: once this
     * returns, no worker reads the old tree for it. A later commit may free
     * that tree's blocks, and a worker no longer inside the commit is no
     * reader the store knows to wait for.
     */
    void abandon() {
        if (!begun.compareAndSet(false, true)) {
            try {
                values.join();
            } catch (CompletionException ignored) {
                // The commit is failing for its own reason.
            }
        }
    }

    /** The old values, in the order of the keys; waits only for a lookup a worker has begun. */
    byte[][] values() {
        if (begun.compareAndSet(false, true)) {
            return Tree.getAll(store, root, keys);
        }
        try {
            return values.join();
        } catch (CompletionException e) {
            // As the committer's own lookup would have failed: a corrupt
            // block stays a CorruptBlockException for the caller.
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
