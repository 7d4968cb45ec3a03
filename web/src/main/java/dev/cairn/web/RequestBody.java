package dev.cairn.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request's body as the store reads it: a body that ends before its
 * {@code Content-Length}, or that the connection cuts off, fails the read
 * with {@link Broken}, so that the store keeps nothing of it and the failure
 * is answered as the client's ({@code 400 bad_body}), not as Cairn's.
 */
final class RequestBody extends FilterInputStream {

    /** Reading the body failed: the client's connection or its framing, not the store. */
    static final class Broken extends IOException {
        private static final long serialVersionUID = 1L;

        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final long declared;
    private long read;

    private RequestBody(InputStream in, long declared) {
        super(in);
        this.declared = declared;
    }

    static InputStream of(HttpServletRequest req) throws IOException {
        return new RequestBody(req.getInputStream(), req.getContentLengthLong());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            throw new Broken("the request body was cut off after " + read + " bytes: " + e.getMessage(), e);
        }
        if (n < 0) {
            if (declared >= 0 && read < declared) {
                throw new Broken("the request body ended after " + read + " of the " + declared
                        + " bytes its Content-Length declared", null);
            }
            return n;
        }
        read += n;
        return n;
    }
}
