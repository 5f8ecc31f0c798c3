package io.sessionmirror.agent.codec;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * Deflates large attribute graphs before they are stored, and inflates them, within a cap, when read.
 */
final class Compression {

    /**
     * A compressed graph may not inflate beyond this: a corrupt or hostile value must not exhaust the heap.
     * Refusing one costs about this much memory for the moment it takes (see {@link BoundedInflater}), so it
     * is kept well below a server's heap even when a few such values are read at once: 16 MB. The agent
     * never compresses a larger graph (it is stored plain, where max.size applies), so it can read back
     * whatever it wrote; with max.size at its default of 1 MB, a compressed session reaches the cap only
     * at a ratio beyond 16:1, and a session serializing to more than 16 MB on every request is no session
     * to mirror anyway.
     */
    static final int MAX_INFLATED = 16 * 1024 * 1024;

    private final int compressAbove;

    /** @param compressAbove graphs larger than this many bytes are deflated; -1 for never */
    Compression(int compressAbove) {
        this.compressAbove = compressAbove;
    }

    /**
     * The deflated graph, or null when it is to be stored as it is: small enough, no smaller deflated, or
     * larger than any reader inflates (the agent never writes what it cannot read).
     */
    byte[] deflateIfWorth(byte[] graph) {
        if (compressAbove < 0 || graph.length <= compressAbove || graph.length > MAX_INFLATED) {
            return null;
        }
        byte[] deflated = deflate(graph);
        return deflated.length < graph.length ? deflated : null;
    }

    static byte[] inflate(byte[] body) throws CorruptPayloadException {
        return BoundedInflater.inflate(body, MAX_INFLATED);
    }

    private static byte[] deflate(byte[] graph) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(graph);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(graph.length / 2 + 64);
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }
}
