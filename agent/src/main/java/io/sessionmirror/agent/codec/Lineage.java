package io.sessionmirror.agent.codec;

import java.util.Arrays;

/**
 * What a format-5 copy says about each of its attributes, without their values: name, change hash of the
 * serialized attribute, the session version at which it last changed (its stamp), and whether it is a
 * removal marker (the attribute was removed at that version). Sorted by name, immutable. A server keeps the
 * lineage of the copy it last loaded or wrote: the next write stamps only what changed since, and a merge
 * of two copies tells "removed there" from "added here". The principal is not part of it (a merge takes it
 * from the later copy as a whole).
 */
public final class Lineage {

    /** No attributes: a new session, or a copy of a format without per-attribute sections. */
    public static final Lineage EMPTY = new Lineage(new String[0], new long[0], new long[0], new boolean[0]);

    /**
     * Every live session keeps one, so it is kept small (docs/benchmarks.md, "Heap per session"): the names array
     * is shared by every lineage with the same names ({@link NameSets}), and hash and stamp sit side by side in
     * one array, a removal marker's stamp stored inverted ({@code ~stamp}, negative: stamps are never).
     */
    private final String[] names;
    private final long[] hashAndStamp;

    /** Sorted by name, no duplicates; the arrays are read, not kept. Stamps are never negative. */
    Lineage(String[] names, long[] hashes, long[] stamps, boolean[] removed) {
        this.names = NameSets.canonical(names);
        this.hashAndStamp = new long[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            hashAndStamp[2 * i] = hashes[i];
            hashAndStamp[2 * i + 1] = removed[i] ? ~stamps[i] : stamps[i];
        }
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    /** The change hash of the attribute's serialized bytes; 0 for a removal marker. */
    public long hash(int i) {
        return hashAndStamp[2 * i];
    }

    /** The session version at which the attribute last changed (or was removed). */
    public long stamp(int i) {
        long s = hashAndStamp[2 * i + 1];
        return s < 0 ? ~s : s;
    }

    /** Whether entry {@code i} is a removal marker rather than a live attribute. */
    public boolean removed(int i) {
        return hashAndStamp[2 * i + 1] < 0;
    }

    /** The index of {@code name}, or -1 if this lineage has no entry for it. */
    public int indexOf(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? i : -1;
    }

    /** Whether {@code name} is a live attribute here with this change hash. */
    public boolean has(String name, long hash) {
        int i = indexOf(name);
        return i >= 0 && !removed(i) && hash(i) == hash;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Lineage)) {
            return false;
        }
        Lineage l = (Lineage) o;
        return Arrays.equals(names, l.names) && Arrays.equals(hashAndStamp, l.hashAndStamp);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 31 + Arrays.hashCode(hashAndStamp);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ", ").append(names[i]).append(removed(i) ? " removed@" : "@").append(stamp(i));
        }
        return b.append(']').toString();
    }
}
