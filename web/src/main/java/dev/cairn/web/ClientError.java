package dev.cairn.web;

/**
 * A request Cairn refuses because of the request itself: answered with its
 * status and a JSON body, logged at most as one FINE line (a client's mistake
 * is not Cairn's failure).
 */
final class ClientError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;

    ClientError(int status, String code, String message) {
        super(message, null, false, false); // no stack trace: nothing went wrong inside Cairn
        this.status = status;
        this.code = code;
    }

    static ClientError badKey(String message) {
        return new ClientError(400, "bad_key", message);
    }
}
