package dev.cairn.engine.backup;

import dev.cairn.api.CairnException;
import dev.cairn.api.StoreLockedException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Backup and restore of store files that no server has open:
 * <pre>
 * BackupMain send STORE SNAPSHOT [--from OLDER] [--take] OUT   (OUT "-": standard output)
 * BackupMain receive IN STORE [--size BYTES]                   (IN "-": standard input)
 * </pre>
 * {@code send} writes snapshot SNAPSHOT of STORE (taking it first with
 * {@code --take}), whole or as the changes since OLDER, to OUT, forced to
 * disk before it exits. {@code receive} creates STORE from a full stream
 * (of {@code --size} bytes, 1 GiB by default) or applies an incremental one
 * to it. Exits 0 on success, 1 when the stream or the store refused (the
 * message says why; a receiving store is unchanged), 2 on bad usage, 3 when
 * a server or another program holds the store's lock.
 */
public final class BackupMain {

    private BackupMain() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (Usage e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (StoreLockedException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        } catch (CairnException | IOException | IllegalArgumentException e) {
            System.err.println("refused: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        String from = option(rest, "--from");
        String size = option(rest, "--size");
        long sizeBytes = size == null ? 1L << 30 : bytes(size);
        boolean take = rest.remove("--take");
        if (rest.size() == 4 && rest.get(0).equals("send") && size == null) {
            Path store = Path.of(rest.get(1));
            String name = rest.get(2);
            try (Store s = Store.open(store, StoreConfig.defaults())) {
                if (take) {
                    s.createSnapshot(name);
                }
                SnapshotSender.Sent sent;
                if (rest.get(3).equals("-")) {
                    // Not System.out: a PrintStream swallows a failed write, and a cut backup
                    // must not exit 0.
                    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
                    sent = SnapshotSender.send(s, name, from, out);
                    out.flush();
                } else {
                    sent = SnapshotSender.toFile(s, name, from, Path.of(rest.get(3)));
                }
                System.err.printf("sent snapshot %s%s of %s: %d puts, %d deletes, %d bytes%n", name,
                        from == null ? "" : " (changes since " + from + ")", store, sent.puts(), sent.deletes(), sent.bytes());
            }
            return 0;
        }
        if (rest.size() == 3 && rest.get(0).equals("receive") && from == null && !take) {
            Path store = Path.of(rest.get(2));
            try (InputStream in = rest.get(1).equals("-") ? new BufferedInputStream(System.in, 1 << 16)
                    : new BufferedInputStream(Files.newInputStream(Path.of(rest.get(1))), 1 << 16)) {
                SnapshotReceiver.Received r;
                if (Files.exists(store)) {
                    if (size != null) {
                        throw new Usage("--size is for a new store, and " + store + " exists");
                    }
                    try (Store s = Store.open(store, StoreConfig.defaults())) {
                        r = SnapshotReceiver.into(s, in);
                    }
                } else {
                    StoreConfig cfg = StoreConfig.defaults().sizeBytes(sizeBytes);
                    r = SnapshotReceiver.intoNewStore(in, store, cfg);
                }
                System.err.printf("received snapshot %s%s into %s: %d puts, %d deletes%n", r.snapshot(),
                        r.base() == null ? "" : " (changes since " + r.base() + ")", store, r.puts(), r.deletes());
            }
            return 0;
        }
        throw new Usage("usage: BackupMain send STORE SNAPSHOT [--from OLDER] [--take] OUT|-\n"
                + "       BackupMain receive IN|- STORE [--size BYTES]");
    }

    /** Bad usage: exit 2 with the message. */
    static final class Usage extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    private static long bytes(String size) {
        try {
            return Long.parseLong(size);
        } catch (NumberFormatException e) {
            throw new Usage("--size takes a number of bytes, not \"" + size + "\"");
        }
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i == args.size() - 1) {
            throw new Usage(name + " needs a value");
        }
        args.remove(i);
        return args.remove(i);
    }
}
