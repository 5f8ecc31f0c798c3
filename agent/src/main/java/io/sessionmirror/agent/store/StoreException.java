package io.sessionmirror.agent.store;

/** A store call that failed or timed out. */
public final class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message, null, false, false);
    }
}
