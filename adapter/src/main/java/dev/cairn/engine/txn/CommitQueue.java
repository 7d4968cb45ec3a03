package dev.cairn.engine.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Commits waiting for the commit lock. Whoever gets the lock takes every
 * commit waiting and applies them together, in one tree write: under load,
 * the commits that queue behind one being applied then cost one root block
 * between them instead of one each (the apply side of group commit).
 *
 * <p>Thread safety: {@link #add} from any thread; {@link #takeAll} and the
 * outcome setters only under the owner's commit lock, which is also what
 * makes an outcome visible to the waiting committer (it reads it after
 * taking the same lock).
 *
 * @param <C> what a commit carries (the owner's business)
 */
public final class CommitQueue<C> {

    /** One waiting commit and, once some lock holder has handled it, its outcome. */
    public static final class Waiting<C> {
        private final C commit;
        private boolean done;
        private long seq;
        private RuntimeException failure;

        Waiting(C commit) {
            this.commit = commit;
        }

        public C commit() {
            return commit;
        }

        /** Whether some holder of the commit lock has applied or refused it. */
        public boolean done() {
            return done;
        }

        public void applied(long seq) {
            this.seq = seq;
            this.done = true;
        }

        public void refused(RuntimeException why) {
            this.failure = why;
            this.done = true;
        }

        /** The commit's sequence number; throws why it was refused. */
        public long outcome() {
            if (failure != null) {
                throw failure;
            }
            return seq;
        }
    }

    private final ConcurrentLinkedQueue<Waiting<C>> waiting = new ConcurrentLinkedQueue<>();

    public Waiting<C> add(C commit) {
        Waiting<C> w = new Waiting<>(commit);
        waiting.add(w);
        return w;
    }

    /** Every commit waiting now, in the order they arrived. */
    public List<Waiting<C>> takeAll() {
        List<Waiting<C>> out = new ArrayList<>();
        for (Waiting<C> w; (w = waiting.poll()) != null; ) {
            out.add(w);
        }
        return out;
    }
}
