package io.sessionmirror.agent.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The plain (uncompressed, unencrypted) body of a format-5 copy:
 * <pre>
 *   count(4), then per section, sorted by name:
 *   nameLength(2) name(UTF-8) classLength(2) class(UTF-8) kind(1) stamp(8) hash(8) length(4) bytes
 * </pre>
 * Reading checks every length against the bytes present and every section's hash against its bytes, so a
 * section read here is the one written (a corrupt frame refuses the whole copy, as in every format).
 */
final class SectionsBody {

    /** The longest name or class name a section holds, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 0xFFFF;
    private static final int FIXED = 2 + 2 + 1 + 8 + 8 + 4;

    private SectionsBody() {
    }

    /** Whether {@code s} fits in a section's 2-byte length field. */
    static boolean fits(String s) {
        return s.length() <= MAX_NAME_BYTES / 3 || s.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES;
    }

    /** @param sections sorted, names and class names that {@link #fits} */
    static byte[] write(List<Section> sections) {
        byte[][] names = new byte[sections.size()][];
        byte[][] classes = new byte[sections.size()][];
        long length = 4;
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            names[i] = s.name.getBytes(StandardCharsets.UTF_8);
            classes[i] = s.className.getBytes(StandardCharsets.UTF_8);
            length += FIXED + names[i].length + classes[i].length + s.bytes.length;
        }
        if (length > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a session of " + length + " bytes cannot be stored");
        }
        ByteBuffer out = ByteBuffer.allocate((int) length);
        out.putInt(sections.size());
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            out.putShort((short) names[i].length).put(names[i]);
            out.putShort((short) classes[i].length).put(classes[i]);
            out.put(s.kind).putLong(s.stamp).putLong(s.hash);
            out.putInt(s.bytes.length).put(s.bytes);
        }
        return out.array();
    }

    /** The sections of a verified, decrypted, inflated body. */
    static List<Section> read(byte[] body) throws CorruptPayloadException {
        ByteBuffer in = ByteBuffer.wrap(body);
        int count = need(in, 4, "section count").getInt();
        // Each section takes at least FIXED bytes: a larger count is a lie.
        if (count < 0 || count > in.remaining() / FIXED) {
            throw new CorruptPayloadException("corrupt entry (" + count + " sections in " + body.length + " bytes)");
        }
        List<Section> sections = new ArrayList<>(count);
        Section previous = null;
        for (int i = 0; i < count; i++) {
            String name = utf8(in, "section name");
            String className = utf8(in, "class name");
            need(in, 1 + 8 + 8 + 4, "section header");
            byte kind = in.get();
            long stamp = in.getLong();
            long hash = in.getLong();
            int length = in.getInt();
            if (kind < Section.ATTRIBUTE || kind > Section.REMOVED || length < 0 || length > in.remaining()) {
                throw new CorruptPayloadException("corrupt entry (section '" + name + "')");
            }
            byte[] bytes = new byte[length];
            in.get(bytes);
            Section s = new Section(name, className, kind, stamp, hash, bytes);
            if (kind != Section.REMOVED ? ChangeHash.of(bytes) != hash : length != 0) {
                throw new CorruptPayloadException("corrupt entry (section '" + name + "' does not match its hash)");
            }
            if (previous != null && (previous.compareTo(s) >= 0 || previous.name.equals(name)
                    && previous.kind != Section.PRINCIPAL && kind != Section.PRINCIPAL)) {
                throw new CorruptPayloadException("corrupt entry (sections out of order at '" + name + "')");
            }
            previous = s;
            sections.add(s);
        }
        if (in.hasRemaining()) {
            throw new CorruptPayloadException("corrupt entry (" + in.remaining() + " bytes after the last section)");
        }
        return Collections.unmodifiableList(sections);
    }

    private static ByteBuffer need(ByteBuffer in, int n, String what) throws CorruptPayloadException {
        if (in.remaining() < n) {
            throw new CorruptPayloadException("truncated entry (" + what + ")");
        }
        return in;
    }

    private static String utf8(ByteBuffer in, String what) throws CorruptPayloadException {
        int n = need(in, 2, what).getShort() & 0xFFFF;
        need(in, n, what);
        String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    /** The lineage of sorted sections: the attributes and removal markers, not the principal. */
    static Lineage lineageOf(List<Section> sections) {
        int n = 0;
        for (Section s : sections) {
            n += s.kind == Section.PRINCIPAL ? 0 : 1;
        }
        String[] names = new String[n];
        long[] hashes = new long[n];
        long[] stamps = new long[n];
        boolean[] removed = new boolean[n];
        int i = 0;
        for (Section s : sections) {
            if (s.kind != Section.PRINCIPAL) {
                names[i] = s.name;
                hashes[i] = s.hash;
                stamps[i] = s.stamp;
                removed[i++] = s.kind == Section.REMOVED;
            }
        }
        return new Lineage(names, hashes, stamps, removed);
    }

    /**
     * The change hash of a session's content: its live sections (names, kinds, hashes), timeout and auth type;
     * not stamps, markers, write ids or times, so equal contents give equal hashes however they were written.
     */
    static long contentHash(List<Section> sections, int maxInactive, String authType) {
        long h = 0x5E55105L;
        for (Section s : sections) {
            if (s.live()) {
                h = ChangeHash.mix(ChangeHash.mix(ChangeHash.mix(h, s.name.hashCode()), s.kind), s.hash);
            }
        }
        h = ChangeHash.mix(h, maxInactive);
        return authType == null ? h : ChangeHash.mix(h, authType.hashCode());
    }
}
