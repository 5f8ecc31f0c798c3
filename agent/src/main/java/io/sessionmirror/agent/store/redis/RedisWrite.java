package io.sessionmirror.agent.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionmirror.agent.store.CopyOrder;
import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.WriteResult;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A conditional write on its way, run entirely on Lettuce's callbacks so that starting it never blocks: GET,
 * decide in Java with the {@link CopyOrder}, then {@link RedisScripts#SET_IF_UNCHANGED} with the fingerprint of
 * what was read. When the key changed in between (another server wrote, a tombstone landed) it is read and
 * decided again, a few times: the same optimistic loop as the Memcached store's gets/cas. Where the order says
 * {@link CopyOrder.Decision#MERGE}, the merge of what was read and the new value is what the script writes; when
 * the key changed meanwhile, the new value is merged again with what is stored then.
 */
final class RedisWrite implements PendingWrite {

    static final int ATTEMPTS = 4;

    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final CopyOrder order;
    private final String key;
    private final byte[] keyBytes;
    private final byte[] value;
    private final byte[] lifetime;
    private final Predicate<byte[]> onlyIf;
    private final long deadline;
    private final CompletableFuture<WriteResult> result = new CompletableFuture<>();

    /** Starts the write; {@code onlyIf} (may be null): only over a stored value it accepts. */
    RedisWrite(RedisClusterAsyncCommands<byte[], byte[]> commands, CopyOrder order, String key, byte[] value,
               int expirySeconds, Predicate<byte[]> onlyIf, long deadline) {
        this.commands = commands;
        this.order = order;
        this.key = key;
        this.keyBytes = RedisScripts.utf8(key);
        this.value = value;
        this.lifetime = RedisScripts.millis(expirySeconds);
        this.onlyIf = onlyIf;
        this.deadline = deadline;
        attempt(1);
    }

    /** Completes with the outcome, or exceptionally with the failure (a {@link StoreException} or the client's). */
    CompletableFuture<WriteResult> result() {
        return result;
    }

    private void attempt(int n) {
        commands.get(keyBytes).whenComplete((stored, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            try {
                decide(n, stored);
            } catch (Throwable e) {
                result.completeExceptionally(e); // a predicate or the order that failed: the write fails, loudly
            }
        });
    }

    private void decide(int n, byte[] stored) {
        if (onlyIf != null && (stored == null || !onlyIf.test(stored))) {
            result.complete(WriteResult.STORED); // nothing to do: absent, or a copy the caller does not end
            return;
        }
        byte[] out = value;
        byte[] life = lifetime;
        switch (order.decide(stored, value)) {
            case ALREADY:
                result.complete(WriteResult.STORED);
                return;
            case REFUSE:
                result.complete(WriteResult.REFUSED);
                return;
            case MERGE:
                out = order.merge(key, stored, value);
                if (out == null) {
                    result.complete(WriteResult.REFUSED); // nothing of ours is newer than what is stored
                    return;
                }
                if (out != value) {
                    life = RedisScripts.millis(order.expiryOf(out));
                }
                break;
            default:
                break;
        }
        WriteResult landed = out == value ? WriteResult.STORED : WriteResult.MERGED;
        byte[][] keys = {keyBytes};
        RedisScripts.<Long>run(commands, RedisScripts.SET_IF_UNCHANGED, ScriptOutputType.INTEGER, keys,
                RedisScripts.fingerprint(stored), out, life).whenComplete((written, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else if (written != null && written == 1L) {
                        result.complete(landed);
                    } else if (n < ATTEMPTS && System.nanoTime() < deadline) {
                        attempt(n + 1); // changed since our read: read again, decide again
                    } else {
                        result.completeExceptionally(new StoreException("Redis kept changing " + key + " during "
                                + n + " attempts to write it"));
                    }
                });
    }

    @Override
    public void advance() {
        // nothing to wait for: the read and the write follow each other on the client's own threads
    }

    @Override
    public WriteResult await() throws StoreException {
        return RedisCalls.await(result, deadline, "set");
    }
}
