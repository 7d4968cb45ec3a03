package dev.cairn.engine.check;

import dev.cairn.engine.disk.ChannelOpener;
import dev.cairn.engine.disk.StoreFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Offline check of a store file:
 * {@code java -cp cairn-adapter.jar:hash4j.jar dev.cairn.engine.check.CheckMain STORE}.
 * Prints the report; exits 0 when it is ok, 1 when it found problems, 2 on bad usage.
 *
 * <p>Until the object tree's block format exists, the offline check follows
 * no references out of the roots, so it verifies the superblocks, headers,
 * logs and roots but would call every other allocated block leaked: it
 * reports leaks only with {@code --leaks}.
 */
public final class CheckMain {

    private CheckMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: CheckMain [--leaks] STORE-FILE");
            System.exit(2);
        }
        boolean leaks = args[0].equals("--leaks");
        Path path = Path.of(args[args.length - 1]);
        try (StoreFile f = StoreFile.openReadOnly(path, ChannelOpener.PLAIN)) {
            CheckReport r = Checker.check(f, ReferenceWalker.ROOTS_ONLY);
            if (!leaks && r.leakedBlocks() > 0) {
                r = r.withoutLeaks();
            }
            System.out.print(path + ": " + r);
            System.exit(r.ok() ? 0 : 1);
        }
    }
}
