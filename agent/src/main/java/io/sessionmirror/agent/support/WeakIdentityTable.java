package io.sessionmirror.agent.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values. This is how the agent
 * keeps per-session and per-web-app state without adding fields to server classes (which retransforming
 * a loaded class cannot do): when the server drops a session, its entry goes away by itself.
 * Values must not refer back to their key, or the key can never be collected.
 *
 * <p>Built for the request path and for memory: a lookup allocates nothing and takes no lock (it walks an
 * immutable chain read with acquire semantics), and an entry is one object, the weak reference itself
 * (about 40 bytes, plus its slot in the table). Changes take one lock: they happen once per session
 * (created, ended), never per request. A chain is never changed in place: a removal copies the entries in
 * front of the removed one, a resize builds new entries, so a reader always sees a whole chain.
 */
public final class WeakIdentityTable<K, V> {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);
    private static final int INITIAL = 64;

    private volatile Entry<K, V>[] table = newTable(INITIAL);
    /** Live entries and entries whose key was collected but not expunged yet; guarded by {@code this}. */
    private int count;
    private final ReferenceQueue<K> queue = new ReferenceQueue<>();

    public V get(K key) {
        expunge();
        int h = hash(key);
        Entry<K, V>[] tab = table;
        for (Entry<K, V> e = slot(tab, h); e != null; e = e.next) {
            if (e.hash == h && e.get() == key) {
                return e.value;
            }
        }
        return null;
    }

    public V computeIfAbsent(K key, Function<? super K, ? extends V> factory) {
        V v = get(key);
        if (v != null) {
            return v;
        }
        synchronized (this) {
            v = get(key);
            if (v == null) {
                v = factory.apply(key);
                insert(key, v);
            }
            return v;
        }
    }

    public synchronized void put(K key, V value) {
        expunge();
        removeEntry(key, null);
        insert(key, value);
    }

    public V remove(K key) {
        expunge();
        synchronized (this) {
            return removeEntry(key, null);
        }
    }

    /** Calls {@code action} for every entry whose key is still alive (a weakly consistent snapshot). */
    public void forEach(BiConsumer<K, V> action) {
        expunge();
        Entry<K, V>[] tab = table;
        for (int i = 0; i < tab.length; i++) {
            for (Entry<K, V> e = slotAt(tab, i); e != null; e = e.next) {
                K k = e.get();
                if (k != null) {
                    action.accept(k, e.value);
                }
            }
        }
    }

    public int size() {
        expunge();
        synchronized (this) {
            return count;
        }
    }

    /** Drops the entries whose keys were collected; nearly free when there are none (one volatile read). */
    @SuppressWarnings("unchecked")
    private void expunge() {
        Reference<? extends K> r = queue.poll();
        if (r == null) {
            return;
        }
        synchronized (this) {
            for (; r != null; r = queue.poll()) {
                removeEntry(null, (Entry<K, V>) r);
            }
        }
    }

    /** Under the lock: inserts at the head of the key's chain, growing the table first when it is full. */
    private void insert(K key, V value) {
        Entry<K, V>[] tab = table;
        if (count + 1 > tab.length - (tab.length >>> 2)) {
            tab = resize(tab);
        }
        int h = hash(key);
        int i = h & (tab.length - 1);
        SLOT.setRelease(tab, i, new Entry<>(key, queue, h, value, slotAt(tab, i)));
        count++;
    }

    /**
     * Under the lock: removes the entry of {@code key} (or the entry {@code which}, whose key is gone); returns its
     * value, or null.
     */
    private V removeEntry(K key, Entry<K, V> which) {
        Entry<K, V>[] tab = table;
        int h = which != null ? which.hash : hash(key);
        int i = h & (tab.length - 1);
        Entry<K, V> first = slotAt(tab, i);
        for (Entry<K, V> e = first; e != null; e = e.next) {
            if (which != null ? e == which : e.hash == h && e.get() == key) {
                // Copy what precedes it; what follows is shared (chains are immutable).
                Entry<K, V> rest = e.next;
                for (Entry<K, V> p = first; p != e; p = p.next) {
                    K k = p.get();
                    if (k != null) {
                        rest = new Entry<>(k, queue, p.hash, p.value, rest);
                    } else {
                        count--; // collected meanwhile: dropped here, its queued reference then finds nothing
                    }
                }
                SLOT.setRelease(tab, i, rest);
                count--;
                return e.value;
            }
        }
        return null;
    }

    /** Under the lock: a table twice the size with fresh entries for the live keys (dead ones are dropped). */
    private Entry<K, V>[] resize(Entry<K, V>[] old) {
        Entry<K, V>[] tab = newTable(old.length * 2);
        int live = 0;
        for (int i = 0; i < old.length; i++) {
            for (Entry<K, V> e = slotAt(old, i); e != null; e = e.next) {
                K k = e.get();
                if (k != null) {
                    int j = e.hash & (tab.length - 1);
                    tab[j] = new Entry<>(k, queue, e.hash, e.value, tab[j]);
                    live++;
                }
            }
        }
        count = live;
        table = tab; // volatile: readers see the filled table
        return tab;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Entry<K, V>[] newTable(int length) {
        return (Entry<K, V>[]) new Entry[length];
    }

    private static int hash(Object key) {
        int h = System.identityHashCode(key);
        return h ^ (h >>> 16);
    }

    private static <K, V> Entry<K, V> slot(Entry<K, V>[] tab, int h) {
        return slotAt(tab, h & (tab.length - 1));
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Entry<K, V> slotAt(Entry<K, V>[] tab, int i) {
        return (Entry<K, V>) SLOT.getAcquire(tab, i);
    }

    /** One mapping: the weak reference to the key is the entry itself. */
    private static final class Entry<K, V> extends WeakReference<K> {
        final int hash;
        final V value;
        final Entry<K, V> next;

        Entry(K key, ReferenceQueue<K> queue, int hash, V value, Entry<K, V> next) {
            super(key, queue);
            this.hash = hash;
            this.value = value;
            this.next = next;
        }
    }
}
