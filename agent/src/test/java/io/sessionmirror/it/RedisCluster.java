package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A Redis Cluster of real {@code redis-server} processes: {@code n} masters, no replicas, the 16384 slots
 * spread by {@code redis-cli --cluster create}. Inspection helpers follow {@code MOVED} to the node that owns
 * a key.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<Redis> masters;

    private RedisCluster(List<Redis> masters) {
        this.masters = masters;
    }

    /** Starts {@code n} (3 or more) cluster-mode instances and joins them; returns once every node says ok. */
    public static RedisCluster start(int n) throws Exception {
        List<Redis> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int bus = Memcached.freePort(); // cluster-port (7.0+): the bus port from our own range, not port+10000
                nodes.add(Redis.launch(List.of("--cluster-enabled", "yes", "--cluster-port", String.valueOf(bus),
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"), null, null));
            }
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (Redis r : nodes) {
                cmd.add(r.address());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
            RedisCluster c = new RedisCluster(nodes);
            c.awaitOk();
            return c;
        } catch (Exception e) {
            for (Redis r : nodes) {
                r.close();
            }
            throw e;
        }
    }

    /** Waits until every node knows every other and says {@code cluster_state:ok}. */
    public void awaitOk() throws Exception {
        Poll.untilNothingPending(Duration.ofSeconds(30), () -> {
            for (Redis r : masters) {
                String info = new String((byte[]) RespClient.check(r.command("CLUSTER", "INFO")), StandardCharsets.UTF_8);
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + masters.size())) {
                    return r.address() + " is not ready: " + info.replace("\r\n", " ");
                }
            }
            return null;
        });
    }

    public List<Redis> masters() {
        return masters;
    }

    /** The {@code nodes} value: {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}. */
    public String uri() {
        StringJoiner j = new StringJoiner(",", "redis-cluster://", "");
        for (Redis r : masters) {
            j.add(r.address());
        }
        return j.toString();
    }

    /** The node that owns {@code key}'s slot. */
    public Redis ownerOf(String key) throws IOException {
        Object slot = RespClient.check(masters.get(0).command("CLUSTER", "KEYSLOT", key));
        for (Object range : (List<?>) RespClient.check(masters.get(0).command("CLUSTER", "SLOTS"))) {
            List<?> r = (List<?>) range;
            long from = (Long) r.get(0);
            long to = (Long) r.get(1);
            long port = (Long) ((List<?>) r.get(2)).get(1);
            if ((Long) slot >= from && (Long) slot <= to) {
                for (Redis m : masters) {
                    if (m.port() == port) {
                        return m;
                    }
                }
            }
        }
        throw new IOException("no node owns the slot of " + key);
    }

    public byte[] get(String key) throws IOException {
        return ownerOf(key).get(key);
    }

    public long pttl(String key) throws IOException {
        return ownerOf(key).pttl(key);
    }

    /** Every key of every node. */
    public List<String> keys() throws IOException {
        List<String> out = new ArrayList<>();
        for (Redis r : masters) {
            out.addAll(r.keys(0));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        for (Redis r : masters) {
            r.close();
        }
    }
}
