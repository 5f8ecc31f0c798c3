package io.sessionmirror.agent.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a compressed attribute graph into at most {@code cap} bytes, holding no more than the cap (plus
 * one byte) while it does. A value read from Memcached may be planted: a 1 MB deflate stream can claim a
 * gigabyte. Inflating into a doubling buffer, as a ByteArrayOutputStream does, held the old and the doubled
 * array at once, and refused only after growing past the cap: about three times the cap was allocated
 * before a bomb was refused. Here the output goes into chunks that grow geometrically (few chunks for a
 * large graph, little waste for a small one) but never beyond what is left under the cap, so a bomb is
 * refused after allocating the cap once; a graph that fits is copied once, at its exact size.
 */
final class BoundedInflater {

    private static final int MIN_CHUNK = 16 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;

    private BoundedInflater() {
    }

    static byte[] inflate(byte[] body, int cap) throws CorruptPayloadException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            List<byte[]> full = new ArrayList<>();
            long limit = cap + 1L; // one byte more than allowed: producing it proves the graph is too large
            long done = 0; // bytes in the chunks of 'full'
            // Most graphs deflate three to ten times; start near that, within [MIN_CHUNK, MAX_CHUNK].
            byte[] chunk = new byte[(int) Math.min(limit, Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, body.length * 4L)))];
            int at = 0;
            while (!inflater.finished()) {
                if (at == chunk.length) {
                    full.add(chunk);
                    done += at;
                    if (done >= limit) {
                        throw tooLarge(cap);
                    }
                    chunk = new byte[(int) Math.min(limit - done, Math.min(MAX_CHUNK, chunk.length * 2L))];
                    at = 0;
                }
                int n = inflater.inflate(chunk, at, chunk.length - at);
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CorruptPayloadException("truncated compressed attribute graph");
                }
                at += n;
            }
            long total = done + at;
            if (total > cap) {
                throw tooLarge(cap);
            }
            if (inflater.getRemaining() != 0) {
                throw new CorruptPayloadException("bytes after the compressed attribute graph");
            }
            if (full.isEmpty() && at == chunk.length) {
                return chunk;
            }
            byte[] graph = new byte[(int) total];
            int to = 0;
            for (byte[] c : full) {
                System.arraycopy(c, 0, graph, to, c.length);
                to += c.length;
            }
            System.arraycopy(chunk, 0, graph, to, at);
            return graph;
        } catch (DataFormatException e) {
            throw new CorruptPayloadException("compressed attribute graph is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static CorruptPayloadException tooLarge(int cap) {
        return new CorruptPayloadException("compressed attribute graph inflates beyond " + cap
                + " bytes (the limit for a compressed session; a larger graph is stored uncompressed)");
    }
}
