package dev.cairn.engine;

import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.check.Checker;

/**
 * Checks a block store's durable state: both superblocks, every arena's header and
 * log, every block {@code walker} reaches from the durable roots (read
 * from disk and verified), nothing both reachable and free, nothing
 * allocated that nothing reaches.
 *
 * <p>Syncs are held off only while the superblocks and logs are read
 * (what a sync rewrites); the walk of the version they describe, G, which
 * reads the whole store, runs while commits and syncs go on. What keeps
 * G's blocks from being freed and reused under the walk is an epoch pin,
 * taken under the sync lock before the mount reads G, as a reader pins
 * before it reads the durable root: a block of G that a later commit
 * replaces is born in G or before, so no sync can free it at once (its
 * free waits for the next sync), and the sync that frees it retires it
 * after the pin was taken, so it is not released until the pin goes. G's
 * blocks are never rewritten in place. The pin is narrowed to G, so
 * blocks that commits write during the walk, and replace, are reused as
 * usual; what the walk holds back is at most G's own blocks, which come
 * back once it ends.
 *
 * <p>The report is G's, as its sync left it: its free space and its
 * leaks are those its logs record, not the live arenas', which change
 * while it walks ({@link CheckReport#syncGen()} says which version). A
 * mount that passes over a damaged newest sync walks the one before,
 * whose freed blocks may already be reused; the check then reports them
 * as corrupt, as it should.
 */
final class DurableCheck {

    private DurableCheck() {
    }

    /** @throws dev.cairn.api.StoreClosedException when the store is closed, before or while it is checked */
    static CheckReport run(BlockStore bs, ReferenceWalker walker) {
        long pin;
        Checker.Mounted mounted;
        bs.syncLock.lock();
        try {
            bs.checkOpen();
            pin = bs.epochs.pin();
            try {
                mounted = Checker.mount(bs.file);
            } catch (RuntimeException | Error e) {
                bs.epochs.unpin(pin);
                throw e;
            }
        } finally {
            bs.syncLock.unlock();
        }
        try {
            if (mounted.generation() >= 0) {
                bs.epochs.narrow(pin, mounted.generation());
            }
            return Checker.walk(bs.file, mounted, walker);
        } finally {
            bs.epochs.unpin(pin);
        }
    }
}
