package dev.cairn.engine.check;

import dev.cairn.api.StoreLockedException;
import dev.cairn.engine.disk.ChannelOpener;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.object.ObjectLayout;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Offline check of a store file:
 * {@code java -cp cairn-engine.jar:cairn-api.jar:hash4j.jar dev.cairn.engine.check.CheckMain STORE}.
 * Reads the file only. Verifies both superblocks, every arena header and
 * log, every block of the object tree and every data block of every large
 * value (hash against pointer), and that nothing is both reachable and free
 * and nothing allocated is unreachable. Prints the report; exits 0 when it
 * is ok, 1 when it found problems, 2 on bad usage, 3 when the store is open
 * (a server or another program holds its lock: a store being written cannot
 * be read whole, so stop it, or use the running store's own check).
 */
public final class CheckMain {

    private CheckMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CheckMain STORE-FILE");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        try (StoreFile f = StoreFile.openReadOnly(path, ChannelOpener.PLAIN)) {
            CheckReport r = Checker.check(f, ObjectLayout.walker());
            System.out.print(path + ": " + r);
            System.exit(r.ok() ? 0 : 1);
        } catch (StoreLockedException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }
}
