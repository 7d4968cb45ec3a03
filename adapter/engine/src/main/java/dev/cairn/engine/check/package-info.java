/**
 * The checker (fsck): mounts the durable state read-only as an open would, walks
 * every block the roots reach verifying hashes, and compares that with what the
 * logs say is allocated; {@code CheckMain} is the offline command.
 *
 * <p>Threads: the administrator's or the command's thread. No lock of its own;
 * in a running store {@code BlockStore.check} holds {@code syncLock} only while
 * the checker reads the superblocks and logs, not for the walk.
 */
package dev.cairn.engine.check;
