package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A node list as a discovery source gave it: the nodes and, for an auto discovery endpoint, the configuration
 * version (-1 when the source has none). Also the parser of the auto discovery answer, as ElastiCache and
 * Memorystore send it:
 * <pre>
 * CONFIG cluster 0 &lt;bytes&gt;\r\n                      (engines before 1.4.14: VALUE AmazonElastiCache:cluster 0 &lt;bytes&gt;)
 * &lt;version&gt;\n
 * &lt;host&gt;|&lt;ip&gt;|&lt;port&gt; &lt;host&gt;|&lt;ip&gt;|&lt;port&gt; ...\n
 * \r\n
 * END\r\n
 * </pre>
 * A node is addressed by its host name when the entry has one (what TLS certificates name), else by its IP.
 * Anything else is refused whole: a half-understood list must not move sessions around.
 */
final class ClusterConfig {

    /** Far above any real cluster's answer (a few dozen bytes per node): a longer one is not an answer. */
    static final int MAX_BYTES = 1 << 20;
    private static final int MAX_LINE = 1024;

    final long version;
    final List<NodeAddress> nodes;

    ClusterConfig(long version, List<NodeAddress> nodes) {
        this.version = version;
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
    }

    /**
     * Reads one answer to {@code config get cluster} or {@code get AmazonElastiCache:cluster}; null when the
     * engine answered {@code ERROR} (it does not know the command).
     */
    static ClusterConfig read(InputStream in) throws IOException {
        String header = line(in);
        if (header.equals("ERROR")) {
            return null;
        }
        if (header.equals("END")) {
            throw new IOException("the endpoint holds no cluster configuration");
        }
        String[] h = header.split(" ");
        boolean config = h.length == 4 && h[0].equals("CONFIG") && h[1].equals("cluster");
        boolean legacy = h.length == 4 && h[0].equals("VALUE") && h[1].equals("AmazonElastiCache:cluster");
        if (!config && !legacy || !h[3].matches("[0-9]{1,7}") || Integer.parseInt(h[3]) > MAX_BYTES) {
            throw new IOException("unexpected answer '" + shortened(header) + "'");
        }
        int length = Integer.parseInt(h[3]);
        byte[] value = in.readNBytes(length);
        if (value.length < length) {
            throw new IOException("the answer ended after " + value.length + " of " + length + " bytes");
        }
        String end = line(in);
        if (end.isEmpty()) {
            end = line(in); // the value's own \r\n
        }
        if (!end.equals("END")) {
            throw new IOException("the answer does not end with END but '" + shortened(end) + "'");
        }
        return parseValue(new String(value, StandardCharsets.US_ASCII));
    }

    /** The value: the version on its first line, the nodes separated by spaces on the second. */
    static ClusterConfig parseValue(String value) throws IOException {
        String[] lines = value.replace("\r", "").split("\n");
        if (lines.length < 1 || !lines[0].trim().matches("[0-9]{1,18}")) {
            throw new IOException("the configuration does not start with a version number");
        }
        long version = Long.parseLong(lines[0].trim());
        Set<NodeAddress> nodes = new LinkedHashSet<>();
        for (int i = 1; i < lines.length; i++) {
            for (String entry : lines[i].trim().split("\\s+")) {
                if (!entry.isEmpty()) {
                    nodes.add(node(entry));
                }
            }
        }
        return new ClusterConfig(version, new ArrayList<>(nodes));
    }

    private static NodeAddress node(String entry) throws IOException {
        String[] p = entry.split("\\|", -1);
        if (p.length != 3 || !p[2].matches("[0-9]{1,5}") || Integer.parseInt(p[2]) < 1
                || Integer.parseInt(p[2]) > 65535) {
            throw new IOException("'" + shortened(entry) + "' is not host|ip|port");
        }
        String host = !p[0].isEmpty() ? p[0] : p[1];
        if (!host.matches("[A-Za-z0-9._:-]{1,253}")) {
            throw new IOException("'" + shortened(entry) + "' names no host or IP");
        }
        return new NodeAddress(host, Integer.parseInt(p[2]));
    }

    /** One line ending in \n (a \r before it dropped); longer than {@value #MAX_LINE} is not protocol. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > MAX_LINE) {
                throw new IOException("a line of the answer is longer than " + MAX_LINE + " bytes");
            }
        }
        if (c < 0) {
            throw new IOException("the connection closed in the middle of the answer");
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static String shortened(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    @Override
    public String toString() {
        return (version < 0 ? "" : "version " + version + ": ") + nodes;
    }
}
