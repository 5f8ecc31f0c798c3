package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.Memcached;
import io.sessionmirror.it.Redis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link CopyOrder.Decision#MERGE} in the stores' conditional writes, on a real memcached (gets/cas) and a real
 * redis-server (GET, then the compare-and-set script), with an order whose values are sets of words and whose
 * merge is their union: what is written is the merge, and a change that lands between the read and the write is
 * read and merged again, never overwritten.
 */
class MergingWriteIT {

    private static final String KEY = "merge-key";

    /** Values: comma-separated words. Different values always merge: the union of their words. */
    static final class WordsOrder implements CopyOrder {
        final AtomicInteger merges = new AtomicInteger();
        /** Runs at the first merge, between the store's read and its write: another writer's change lands there. */
        volatile IoAction duringFirstMerge;

        interface IoAction {
            void run() throws IOException;
        }

        @Override
        public int compare(byte[] a, byte[] b) {
            return Integer.compare(words(a).size(), words(b).size());
        }

        @Override
        public Decision decide(byte[] stored, byte[] incoming) {
            if (stored == null) {
                return Decision.REPLACE;
            }
            return Arrays.equals(stored, incoming) ? Decision.ALREADY : Decision.MERGE;
        }

        @Override
        public byte[] merge(String key, byte[] stored, byte[] incoming) {
            if (merges.incrementAndGet() == 1 && duringFirstMerge != null) {
                try {
                    duringFirstMerge.run();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            TreeSet<String> union = words(stored);
            union.addAll(words(incoming));
            if (union.equals(words(incoming))) {
                return incoming;
            }
            if (union.equals(words(stored))) {
                return null;
            }
            return bytes(String.join(",", union));
        }

        @Override
        public int expiryOf(byte[] value) {
            return 60;
        }

        @Override
        public byte[] tombstone(int expirySeconds) {
            return bytes("");
        }

        @Override
        public boolean isTombstone(byte[] value) {
            return false;
        }
    }

    static TreeSet<String> words(byte[] v) {
        TreeSet<String> s = new TreeSet<>();
        if (v != null) {
            for (String w : new String(v, StandardCharsets.UTF_8).split(",")) {
                if (!w.isEmpty()) {
                    s.add(w);
                }
            }
        }
        return s;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void memcachedWritesTheMergeAndMergesAgainWhenTheKeyChangedBeforeTheCas() throws Exception {
        WordsOrder order = new WordsOrder();
        try (Memcached memcached = Memcached.start();
             MemcachedStore store = new MemcachedStore(List.of(new NodeAddress("127.0.0.1", memcached.port())), 5000,
                     1, new Counters(), null, null, order)) {
            checkMerges(order, store, v -> memcached.set(KEY, v, 60), () -> memcached.get(KEY));
        }
    }

    @Test
    void redisWritesTheMergeAndMergesAgainWhenTheKeyChangedBeforeTheScript() throws Exception {
        WordsOrder order = new WordsOrder();
        try (Redis redis = Redis.start();
             RedisStore store = new RedisStore(RedisUri.parse(redis.uri()), 5000, new Counters(), null, null, order)) {
            checkMerges(order, store, v -> redis.set(KEY, v), () -> redis.get(KEY));
        }
    }

    interface Raw {
        void set(byte[] v) throws IOException;
    }

    interface RawGet {
        byte[] get() throws IOException;
    }

    private static void checkMerges(WordsOrder order, SessionStore store, Raw raw, RawGet get) throws Exception {
        assertEquals(WriteResult.STORED, store.set(KEY, bytes("a"), 60), "nothing stored: a plain write");

        // Another server wrote "a,c" after our read of "a" and before our write of the merge "a,b".
        order.duringFirstMerge = () -> raw.set(bytes("a,c"));
        assertEquals(WriteResult.MERGED, store.set(KEY, bytes("b"), 60));
        assertEquals(words(bytes("a,b,c")), words(get.get()), "the change that landed between read and write survives");
        assertEquals(2, order.merges.get(), "merged once with what was read, once more with what was there then");

        order.duringFirstMerge = null;
        order.merges.set(0);
        assertEquals(WriteResult.STORED, store.set(KEY, bytes("a,b,c,d"), 60), "nothing stored is newer: ours as is");
        assertEquals("a,b,c,d", new String(get.get(), StandardCharsets.UTF_8));
        assertEquals(WriteResult.REFUSED, store.set(KEY, bytes("b"), 60), "nothing of ours is newer: refused");
        assertEquals("a,b,c,d", new String(get.get(), StandardCharsets.UTF_8), "and the stored copy kept");
        assertEquals(2, order.merges.get());
    }
}
