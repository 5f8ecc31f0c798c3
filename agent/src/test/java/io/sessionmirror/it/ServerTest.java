package io.sessionmirror.it;

import io.sessionmirror.agent.core.SessionKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every test of real servers shares: one real memcached per test class (the {@link #backend} unless a
 * subclass names another), the servers a test started
 * (stopped after it, whatever happened), the key of a stored session, and the record of what ran for
 * docs/compatibility.md.
 */
@ExtendWith(CompatibilityRecorder.class)
abstract class ServerTest implements CompatibilityRecorder.ServerUnderTest, CompatibilityRecorder.BackendUnderTest {

    /**
     * Tag of the central cases (failover with every attribute; invalidate deletes, shutdown keeps) that the
     * build runs a second time with the servers on every other JDK it finds (profile jdk25), so that pass
     * covers every server and version in bounded time.
     */
    static final String EVERY_JDK = "every-jdk";
    /** Tag of the other cases of the failover contract (run on the default JDK). */
    static final String CONTRACT = "contract";

    static final Duration STORED = Duration.ofSeconds(10);
    static final Duration READY = Duration.ofSeconds(90);

    static Memcached memcached;
    /**
     * The store the contract's servers mirror to: this class's memcached unless a subclass's own
     * {@code @BeforeAll} (which runs after this one) puts another backend here.
     */
    static Backend backend;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final SessionKeys keys = new SessionKeys("sm");

    @BeforeAll
    static void startMemcached() throws Exception {
        memcached = Memcached.start();
        backend = Backend.memcached(memcached);
    }

    @AfterAll
    static void stopMemcached() throws Exception {
        memcached.stop();
    }

    @AfterEach
    void killServers() throws Exception {
        for (ServerProcess s : servers) {
            s.close();
        }
        servers.clear();
    }

    @Override
    public String[] backendLabel() {
        return backend.label();
    }

    /** Stopped after the test. */
    ServerProcess started(ServerProcess s) {
        servers.add(s);
        return s;
    }

    /** The Memcached key of session {@code id} of the default host's web app at {@code context}. */
    String key(String context, String id) {
        return keys.key(keys.namespace(null, context), id);
    }
}
