package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A Sentinel setup of real processes: a master, one replica, and 1–3 Sentinels watching them under one master
 * name (quorum 1, a master is down after 1 s without answer). {@link #failover()} asks a Sentinel to promote
 * the replica (SENTINEL FAILOVER); killing {@link #master()} makes them do it on their own.
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String MASTER_NAME = "sessions";

    private final Redis first;
    private final Redis second;
    private final List<Redis> sentinels = new ArrayList<>();

    private RedisSentinel(Redis first, Redis second) {
        this.first = first;
        this.second = second;
    }

    public static RedisSentinel start(int sentinelCount) throws Exception {
        Redis master = Redis.start();
        Redis replica = null;
        RedisSentinel s = null;
        try {
            replica = Redis.startReplicaOf(master);
            s = new RedisSentinel(master, replica);
            for (int i = 0; i < sentinelCount; i++) {
                s.sentinels.add(Redis.launchSentinel(List.of(
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1")));
            }
            s.awaitReplicaKnown();
            return s;
        } catch (Exception e) {
            if (s != null) {
                s.close();
            } else {
                master.close();
                if (replica != null) {
                    replica.close();
                }
            }
            throw e;
        }
    }

    /** The {@code nodes} value: {@code redis-sentinel://127.0.0.1:s1,.../sessions}. */
    public String uri() {
        StringJoiner j = new StringJoiner(",", "redis-sentinel://", "/" + MASTER_NAME);
        for (Redis r : sentinels) {
            j.add(r.address());
        }
        return j.toString();
    }

    public List<Redis> sentinels() {
        return sentinels;
    }

    /** The instance the Sentinels name as master now. */
    public Redis master() throws IOException {
        long port = masterPort();
        return first.port() == port ? first : second;
    }

    /** The other data instance. */
    public Redis replica() throws IOException {
        return master() == first ? second : first;
    }

    private long masterPort() throws IOException {
        List<?> addr = (List<?>) RespClient.check(sentinels.get(0).command("SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                MASTER_NAME));
        return Long.parseLong(new String((byte[]) addr.get(1), StandardCharsets.US_ASCII));
    }

    /** Waits until the replica is in sync and every Sentinel knows it (a failover needs a candidate). */
    public void awaitReplicaKnown() throws Exception {
        Poll.untilNothingPending(Duration.ofSeconds(30), () -> {
            Redis replica = replica();
            if (!"up".equals(replica.info("replication", "master_link_status"))) {
                return "replica " + replica.address() + " not in sync";
            }
            for (Redis s : sentinels) {
                List<?> replicas = (List<?>) RespClient.check(s.command("SENTINEL", "REPLICAS", MASTER_NAME));
                boolean known = false;
                for (Object r : replicas) {
                    String fields = describe((List<?>) r);
                    known |= fields.contains("port=" + replica.port() + " ") && fields.contains("flags=slave ");
                }
                if (!known) {
                    return "sentinel " + s.address() + " does not know replica " + replica.address() + " yet";
                }
            }
            return null;
        });
    }

    /** Promotes the replica (SENTINEL FAILOVER); returns once it is the master and says so itself. */
    public Redis failover() throws Exception {
        awaitReplicaKnown();
        Redis next = replica();
        Object ok = sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER_NAME);
        RespClient.check(ok);
        awaitMaster(next);
        return next;
    }

    /** Waits until every Sentinel names {@code expected} as master and it answers as one. */
    public void awaitMaster(Redis expected) throws Exception {
        Poll.untilNothingPending(Duration.ofSeconds(30), () -> {
            for (Redis s : sentinels) {
                List<?> addr = (List<?>) RespClient.check(s.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                        MASTER_NAME));
                if (Long.parseLong(new String((byte[]) addr.get(1), StandardCharsets.US_ASCII)) != expected.port()) {
                    return "sentinel " + s.address() + " still names another master";
                }
            }
            return "master".equals(expected.info("replication", "role")) ? null
                    : expected.address() + " is not a master yet";
        });
    }

    private static String describe(List<?> flat) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            b.append(new String((byte[]) flat.get(i), StandardCharsets.UTF_8)).append('=')
                    .append(new String((byte[]) flat.get(i + 1), StandardCharsets.UTF_8)).append(' ');
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (Redis r : sentinels) {
            r.close();
        }
        first.close();
        second.close();
    }
}
