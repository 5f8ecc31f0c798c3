package io.sessionmirror.it;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.store.NodeRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the fault-injection tests share: memcached nodes and servers started per test (all stopped after it,
 * whatever happened), keys, and a look at what the nodes hold, read directly with the agent's own codec.
 */
@ExtendWith(CompatibilityRecorder.class)
abstract class FaultTest implements CompatibilityRecorder.BackendUnderTest {

    static final Duration READY = Duration.ofSeconds(90);
    static final SessionKeys KEYS = new SessionKeys("sm");
    private static final SessionCodec CODEC = new SessionCodec(null, -1, new FstSerializer(), new JavaSerializer());

    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<Memcached> nodes = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (ServerProcess s : servers) {
            s.close();
        }
        for (Memcached m : nodes) {
            m.kill();
        }
        servers.clear();
        nodes.clear();
    }

    /** The fault tests run plain memcached nodes (a test of another form says so) and the shop's Tomcat 10.1. */
    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", "plain", Backend.memcachedVersion()};
    }

    @Override
    public String serversRun() {
        return "Tomcat (embedded)";
    }

    ServerProcess started(ServerProcess s) {
        servers.add(s);
        return s;
    }

    Memcached node() throws Exception {
        return node(Memcached.start());
    }

    /** A memcached started by the test (e.g. with other options), stopped after it like the others. */
    Memcached node(Memcached m) {
        nodes.add(m);
        return m;
    }

    /** The shop's Tomcat 10.1, with the agent. */
    ServerProcess tomcat(String name, String options, String... launcherArgs) throws Exception {
        return started(Servers.embeddedTomcat(Servers.TOMCAT10, name, Memcached.freePort(), options, List.of(launcherArgs)))
                .awaitReady("/shop/stats", READY);
    }

    static String key(String id) {
        return KEYS.key(KEYS.namespace(null, "/shop"), id);
    }

    static String nodesOption(List<Memcached> nodes) {
        List<String> a = new ArrayList<>();
        for (Memcached m : nodes) {
            a.add(m.address());
        }
        return "nodes=" + String.join(",", a);
    }

    /** The nodes that should hold a key's copies, as the agent places them when all are up. */
    static List<Memcached> homes(List<Memcached> nodes, String key, int copies) {
        return new NodeRing<>(nodes, Memcached::address).preference(key).subList(0, copies);
    }

    /** The version of a stored copy (-1 when there is none). */
    static long version(byte[] stored) {
        return stored == null ? -1 : SessionCodec.versionOf(stored);
    }

    /** The counter a stored copy holds, read with the agent's codec (-1 when there is none). */
    /** A stored copy (read with the agent's codec) whose counter is {@code count}; false for none or another. */
    static java.util.function.Predicate<byte[]> holdsVisits(long count, String id) {
        return v -> {
            try {
                return visits(v, id) == count;
            } catch (Exception notACopy) {
                return false;
            }
        };
    }

    static long visits(byte[] stored, String id) throws Exception {
        if (stored == null) {
            return -1;
        }
        Object v = CODEC.decode(stored, FaultTest.class.getClassLoader(), id, "").data.attributes().get("visits");
        return v == null ? 0 : ((Number) v).longValue();
    }

    static Function<Integer, String> same(String url) {
        return i -> url;
    }
}
