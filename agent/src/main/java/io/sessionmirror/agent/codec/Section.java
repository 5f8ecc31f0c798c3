package io.sessionmirror.agent.codec;

/**
 * One section of a format-5 body: an attribute serialized on its own, the principal, or a removal marker.
 * The bytes are the serializer's output for that one object (empty for a marker); nothing here deserializes.
 */
final class Section implements Comparable<Section> {

    static final byte ATTRIBUTE = 0;
    static final byte PRINCIPAL = 1;
    static final byte REMOVED = 2;
    /** The name of the principal's section. */
    static final String PRINCIPAL_NAME = "(principal)";
    private static final byte[] NONE = new byte[0];

    final String name;
    final String className;
    final byte kind;
    final long stamp;
    final long hash;
    final byte[] bytes;

    Section(String name, String className, byte kind, long stamp, long hash, byte[] bytes) {
        this.name = name;
        this.className = className;
        this.kind = kind;
        this.stamp = stamp;
        this.hash = hash;
        this.bytes = bytes;
    }

    static Section serialized(String name, String className, byte kind, long stamp, byte[] bytes) {
        return new Section(name, className, kind, stamp, ChangeHash.of(bytes), bytes);
    }

    static Section removal(String name, long stamp) {
        return new Section(name, "", REMOVED, stamp, 0, NONE);
    }

    boolean live() {
        return kind != REMOVED;
    }

    /** Same content and metadata (the bytes are compared through their hash, which the reader checked). */
    boolean sameAs(Section o) {
        return name.equals(o.name) && kind == o.kind && stamp == o.stamp && hash == o.hash
                && bytes.length == o.bytes.length && className.equals(o.className);
    }

    /** By name, then kind: an attribute that happens to be named "(principal)" sorts next to the principal. */
    @Override
    public int compareTo(Section o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : Byte.compare(kind, o.kind);
    }
}
