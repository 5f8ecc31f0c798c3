package io.sessionmirror.agent.support;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values. This is how the agent
 * keeps per-session and per-web-app state without adding fields to server classes (which retransforming
 * a loaded class cannot do): when the server drops a session, its entry goes away by itself.
 * Values must not refer back to their key, or the key can never be collected.
 */
public final class WeakIdentityTable<K, V> {

    private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
    private final ReferenceQueue<K> queue = new ReferenceQueue<>();

    public V get(K key) {
        expunge();
        return map.get(new Lookup(key));
    }

    public V computeIfAbsent(K key, Function<? super K, ? extends V> factory) {
        expunge();
        V v = map.get(new Lookup(key));
        if (v != null) {
            return v;
        }
        return map.computeIfAbsent(new Entry<>(key, queue), k -> factory.apply(key));
    }

    public void put(K key, V value) {
        expunge();
        map.put(new Entry<>(key, queue), value);
    }

    public V remove(K key) {
        expunge();
        return map.remove(new Lookup(key));
    }

    /** Calls {@code action} for every entry whose key is still alive (a weakly consistent snapshot). */
    @SuppressWarnings("unchecked")
    public void forEach(java.util.function.BiConsumer<K, V> action) {
        expunge();
        for (java.util.Map.Entry<Object, V> e : map.entrySet()) {
            Object k = ((Identity) e.getKey()).referent();
            if (k != null) {
                action.accept((K) k, e.getValue());
            }
        }
    }

    public int size() {
        expunge();
        return map.size();
    }

    private void expunge() {
        Reference<? extends K> r;
        while ((r = queue.poll()) != null) {
            map.remove(r);
        }
    }

    /** Identity of a live key; both key classes compare equal to each other by referent identity. */
    private interface Identity {
        Object referent();
    }

    private static final class Entry<K> extends WeakReference<K> implements Identity {
        private final int hash;

        Entry(K key, ReferenceQueue<K> queue) {
            super(key, queue);
            this.hash = System.identityHashCode(key);
        }

        @Override
        public Object referent() {
            return get();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof Identity)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((Identity) o).referent();
        }
    }

    private static final class Lookup implements Identity {
        private final Object key;

        Lookup(Object key) {
            this.key = key;
        }

        @Override
        public Object referent() {
            return key;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity && ((Identity) o).referent() == key;
        }
    }
}
