package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.it.CompatibilityRecorder;
import io.sessionmirror.it.Memcached;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract on a real memcached: the in-memory store of the unit tests must behave as this does. */
@ExtendWith(CompatibilityRecorder.class)
class MemcachedStoreContractIT extends SessionStoreContract implements CompatibilityRecorder.BackendUnderTest {

    private Memcached memcached;
    private MemcachedStore store;

    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", "plain", CompatibilityRecorder.versionOf("memcached", "-V")};
    }

    @BeforeEach
    void start() throws Exception {
        memcached = Memcached.start();
        store = new MemcachedStore(List.of(new NodeAddress("127.0.0.1", memcached.port())), 5000, 1,
                new Counters(), null, null, StoredCopyOrder.INSTANCE);
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        memcached.kill();
    }

    @Override
    SessionStore store() {
        return store;
    }
}
