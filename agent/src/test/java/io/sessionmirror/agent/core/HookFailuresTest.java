package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.bootstrap.MirrorBridge;
import io.sessionmirror.bootstrap.MirrorHooks;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** A hook that throws is heard: the bridge hands the Throwable over, which is logged once and counted. */
class HookFailuresTest {

    /** A slot no family uses, so the real families' slots are left as they are. */
    private static final int SLOT = MirrorBridge.SLOTS - 1;

    private final RecordingLogger log = new RecordingLogger();
    private final LongAdder counter = new LongAdder();
    private RuntimeException next = new IllegalStateException("adapter broke");

    /** Hooks that throw whatever {@link #next} is, from every method. */
    private final MirrorHooks throwing = new MirrorHooks() {
        @Override
        public Object sessionNotFound(Object manager, String id, Object request) {
            throw next;
        }

        @Override
        public Object sessionFound(Object manager, Object session, Object request) {
            throw next;
        }

        @Override
        public void sessionLoaded(Object session) {
            throw next;
        }

        @Override
        public void attributeWritten(Object session, String name) {
            throw next;
        }

        @Override
        public void attributeRead(Object session, Object value) {
            throw next;
        }

        @Override
        public void requestCompleting(Object request) {
            throw next;
        }

        @Override
        public void sessionReleased(Object session) {
            throw next;
        }

        @Override
        public void sessionDestroyed(Object session, Object reason) {
            throw next;
        }

        @Override
        public void sessionIdChanged(Object session, String oldId) {
            throw next;
        }
    };

    @BeforeEach
    void install() {
        HookFailures failures = new HookFailures(counter, log);
        failures.name(SLOT, "Testcat");
        MirrorBridge.onFailure(failures);
        MirrorBridge.install(SLOT, throwing);
    }

    @AfterEach
    void uninstall() {
        MirrorBridge.install(SLOT, null);
        MirrorBridge.onFailure(null);
    }

    @Test
    void aFailingHookIsLoggedOnceWithItsStackTraceThenAtDebugAndCountedEveryTime() {
        Object session = new Object();
        for (int i = 0; i < 3; i++) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
        assertEquals(3, counter.sum(), "every failure counts");
        List<String> warnings = log.at(Level.WARN);
        assertEquals(1, warnings.size(), "one line per hook and exception class: " + log.lines);
        String line = warnings.get(0);
        assertTrue(line.contains("sessionReleased") && line.contains("Testcat")
                && line.contains("java.lang.IllegalStateException: adapter broke"), line);
        assertSame(next, log.lines.get(0).thrown, "the first one with its stack trace");
        assertEquals(2, log.at(Level.DEBUG).size(), "then at debug level");
    }

    @Test
    void anotherHookOrAnotherExceptionClassSpeaksAgain() {
        Object session = new Object();
        MirrorBridge.sessionReleased(SLOT, session);
        MirrorBridge.attributeWritten(SLOT, session, "cart");
        MirrorBridge.sessionDestroyed(SLOT, session, null);
        MirrorBridge.sessionReleased(SLOT, session);
        next = new NullPointerException();
        MirrorBridge.sessionReleased(SLOT, session);
        assertEquals(5, counter.sum());
        List<String> warnings = log.at(Level.WARN);
        assertEquals(4, warnings.size(), String.valueOf(log.lines));
        assertTrue(warnings.get(1).contains("attributeWritten"), warnings.get(1));
        assertTrue(warnings.get(2).contains("sessionDestroyed"), warnings.get(2));
        assertTrue(warnings.get(3).contains("NullPointerException"), warnings.get(3));
    }

    @Test
    void theServerGetsWhatItWouldHaveGotWithoutTheAgent() {
        Object session = new Object();
        assertNull(MirrorBridge.sessionNotFound(SLOT, new Object(), "id", null), "a miss stays a miss");
        assertSame(session, MirrorBridge.sessionFound(SLOT, new Object(), session, null), "a hit stays the same session");
        MirrorBridge.sessionIdChanged(SLOT, session, "old");
        MirrorBridge.attributeRead(SLOT, session, "value");
        MirrorBridge.requestCompleting(SLOT, session);
        MirrorBridge.sessionLoaded(SLOT, session);
        assertEquals(6, counter.sum(), "and each of them is counted");
    }

    @Test
    void aReportThatFailsDoesNotBreakTheRequestEither() {
        MirrorBridge.onFailure((slot, hook, failure) -> {
            throw new OutOfMemoryError("while logging");
        });
        Object session = new Object();
        MirrorBridge.sessionReleased(SLOT, session); // must return normally
        assertSame(session, MirrorBridge.sessionFound(SLOT, new Object(), session, null));
    }
}
