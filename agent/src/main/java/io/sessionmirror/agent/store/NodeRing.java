package io.sessionmirror.agent.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A consistent-hash ring in the Ketama style: each node owns {@value #POINTS} points placed by the MD5 of
 * its name, a key belongs to the first point clockwise from the MD5 of the key. Adding or removing a node
 * moves only the keys of the points it gains or loses. {@link #preference} lists every node in the order
 * a key falls to them, so replicas land on distinct nodes and a key whose node is down has a
 * well-defined next home.
 */
public final class NodeRing<T> {

    static final int POINTS = 160;

    private final List<T> nodes;
    private final long[] points;
    private final int[] owners;

    public NodeRing(List<T> nodes, Function<T, String> name) {
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
        long[][] pairs = new long[nodes.size() * POINTS][];
        int p = 0;
        for (int i = 0; i < nodes.size(); i++) {
            String n = name.apply(nodes.get(i));
            for (int j = 0; j < POINTS / 4; j++) {
                byte[] d = md5(n + "-" + j);
                for (int k = 0; k < 4; k++) {
                    pairs[p++] = new long[] {point(d, k), i};
                }
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        points = new long[pairs.length];
        owners = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            points[i] = pairs[i][0];
            owners[i] = (int) pairs[i][1];
        }
    }

    public List<T> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    /** Every node, in the order the key falls to them: its home first. */
    public List<T> preference(String key) {
        if (nodes.size() <= 1) {
            return nodes;
        }
        long h = point(md5(key), 0);
        int start = Arrays.binarySearch(points, h);
        if (start < 0) {
            start = -start - 1;
        }
        Set<Integer> seen = new LinkedHashSet<>();
        for (int i = 0; i < points.length && seen.size() < nodes.size(); i++) {
            seen.add(owners[(start + i) % points.length]);
        }
        List<T> out = new ArrayList<>(nodes.size());
        for (int i : seen) {
            out.add(nodes.get(i));
        }
        return out;
    }

    /** Four unsigned 32-bit points per MD5 digest, little-endian, as Ketama does. */
    private static long point(byte[] d, int k) {
        return ((long) (d[3 + k * 4] & 0xFF) << 24) | ((long) (d[2 + k * 4] & 0xFF) << 16)
                | ((long) (d[1 + k * 4] & 0xFF) << 8) | (d[k * 4] & 0xFF);
    }

    private static byte[] md5(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
