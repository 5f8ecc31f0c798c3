package io.sessionmirror.agent.store.redis;

import io.sessionmirror.agent.store.StoreException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a Redis answer, never past a deadline, with the client's failures as one-line {@link StoreException}s. */
final class RedisCalls {

    private RedisCalls() {
    }

    static <T> T await(Future<T> call, long deadline, String op) throws StoreException {
        try {
            return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(false);
            throw new StoreException("Redis did not answer " + op + " in time");
        } catch (ExecutionException | CompletionException e) {
            throw failure(op, e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for Redis (" + op + ")");
        }
    }

    /** The client's exception as a store failure: its message, and the message of its cause when that says more. */
    static StoreException failure(String op, Throwable e) {
        if (e instanceof StoreException) {
            return (StoreException) e;
        }
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        return new StoreException("Redis " + op + " failed: " + message);
    }
}
