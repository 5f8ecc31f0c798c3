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

    private final String[] names;
    private final long[] hashes;
    private final long[] stamps;
    private final boolean[] removed;

    /** The arrays are taken as they are (not copied): sorted by name, no duplicates, owned by this lineage. */
    Lineage(String[] names, long[] hashes, long[] stamps, boolean[] removed) {
        this.names = names;
        this.hashes = hashes;
        this.stamps = stamps;
        this.removed = removed;
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    /** The change hash of the attribute's serialized bytes; 0 for a removal marker. */
    public long hash(int i) {
        return hashes[i];
    }

    /** The session version at which the attribute last changed (or was removed). */
    public long stamp(int i) {
        return stamps[i];
    }

    /** Whether entry {@code i} is a removal marker rather than a live attribute. */
    public boolean removed(int i) {
        return removed[i];
    }

    /** The index of {@code name}, or -1 if this lineage has no entry for it. */
    public int indexOf(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? i : -1;
    }

    /** Whether {@code name} is a live attribute here with this change hash. */
    public boolean has(String name, long hash) {
        int i = indexOf(name);
        return i >= 0 && !removed[i] && hashes[i] == hash;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Lineage)) {
            return false;
        }
        Lineage l = (Lineage) o;
        return Arrays.equals(names, l.names) && Arrays.equals(hashes, l.hashes) && Arrays.equals(stamps, l.stamps)
                && Arrays.equals(removed, l.removed);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 31 + Arrays.hashCode(stamps);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ", ").append(names[i]).append(removed[i] ? " removed@" : "@").append(stamps[i]);
        }
        return b.append(']').toString();
    }
}
