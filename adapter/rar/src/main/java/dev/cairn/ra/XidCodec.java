package dev.cairn.ra;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/**
 * Turns a transaction manager's {@link Xid} into the bytes the engine keeps
 * with a prepared transaction, and back: format id (4 bytes), the lengths of
 * the global transaction id and the branch qualifier (1 byte each), then both.
 * At most 4 + 2 + 64 + 64 = 134 bytes, inside the engine's 255.
 */
final class XidCodec {

    private XidCodec() {
    }

    static byte[] encode(Xid xid) {
        byte[] g = xid.getGlobalTransactionId();
        byte[] b = xid.getBranchQualifier();
        if (g.length > Xid.MAXGTRIDSIZE || b.length > Xid.MAXBQUALSIZE) {
            throw new IllegalArgumentException("xid parts longer than XA allows: " + g.length + " and " + b.length + " bytes");
        }
        return ByteBuffer.allocate(6 + g.length + b.length).putInt(xid.getFormatId())
                .put((byte) g.length).put((byte) b.length).put(g).put(b).array();
    }

    static Xid decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = in.getInt();
        byte[] g = new byte[in.get() & 0xff];
        byte[] b = new byte[in.get() & 0xff];
        in.get(g).get(b);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("a stored xid has " + in.remaining() + " trailing bytes");
        }
        return new StoredXid(format, g, b);
    }

    /** An xid read back from the store, for {@code recover()}. */
    record StoredXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid, Serializable {
        @Override
        public int getFormatId() {
            return formatId;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StoredXid x && x.formatId == formatId && Arrays.equals(x.gtrid, gtrid)
                    && Arrays.equals(x.bqual, bqual);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
        }

        @Override
        public String toString() {
            return "Xid[format " + formatId + ", gtrid " + HexFormat.of().formatHex(gtrid) + ", bqual "
                    + HexFormat.of().formatHex(bqual) + "]";
        }
    }
}
