package io.sessionmirror.agent.payara;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.Test;

/**
 * Payara's own replicated sessions (web-ha's managers, which extend the fork's PersistentManagerBase) are left to
 * Payara: a manager of that package, or one extending it, is not mirrored; the fork's own managers are.
 */
class ReplicatedManagersTest {

    private static Class<?> type(String name, Class<?> superType) {
        return new ByteBuddy().subclass(superType).name(name).make()
                .load(superType == Object.class ? ReplicatedManagersTest.class.getClassLoader() : superType.getClassLoader(),
                        ClassLoadingStrategy.Default.WRAPPER).getLoaded();
    }

    @Test
    void webHaManagersAndTheirSubclassesArePayarasToKeep() {
        Class<?> replication = type("org.glassfish.web.ha.session.management.ReplicationWebEventPersistentManager",
                Object.class);
        assertTrue(PayaraAdapter.isReplicationManager(replication));
        assertTrue(PayaraAdapter.isReplicationManager(type("com.example.MyReplicationManager", replication)));
    }

    @Test
    void theForksOwnManagersAreMirrored() {
        assertFalse(PayaraAdapter.isReplicationManager(type("org.apache.catalina.session.StandardManager", Object.class)));
        assertFalse(PayaraAdapter.isReplicationManager(type("org.apache.catalina.session.PersistentManager", Object.class)));
    }
}
