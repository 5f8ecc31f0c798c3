package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.support.Reflector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The sessions that live in this JVM, for an attach to export. Undertow's managers are not reachable from a
 * class loader. But every session with a timeout has its expiry task queued on an XNIO I/O thread; the task is
 * an inner class of the session, and the session knows its manager. Every session of each manager found that
 * way is exported. Runs once, on a background thread: slow is fine.
 */
final class UndertowLiveSessions {

    private final UndertowMembers members;
    private final UndertowWebApps webApps;

    UndertowLiveSessions(UndertowMembers members, UndertowWebApps webApps) {
        this.members = members;
        this.webApps = webApps;
    }

    List<Object> find() {
        Set<Object> managers = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            Class<?> worker = Reflector.ancestor(thread.getClass(), "org.xnio.nio.WorkerThread");
            if (worker == null) {
                continue;
            }
            try {
                Object queue = Reflector.field(worker, "delayWorkQueue").get(thread);
                for (Object key : snapshot((Collection<?>) queue)) {
                    Object command = Reflector.field(key.getClass(), "command").get(key);
                    Class<?> outer = command == null ? null : command.getClass().getEnclosingClass();
                    if (outer != null && outer.getName().equals(UndertowInstrumentation.SESSION)) {
                        Object session = Reflector.field(command.getClass(), "this$0").get(command);
                        managers.add(members.managerOf(session));
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // another XNIO layout: nothing found on this thread
            }
        }
        List<Object> sessions = new ArrayList<>();
        for (Object manager : managers) {
            try {
                if (manager != null && webApps.ofManager(manager) != null) {
                    sessions.addAll(((Map<?, ?>) members.of(manager).sessions.get(manager)).values());
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // skip this manager
            }
        }
        return sessions;
    }

    /** A copy of a collection another thread owns (the I/O thread's timer queue), retried if it changed. */
    private static List<Object> snapshot(Collection<?> owned) {
        for (int attempt = 0; ; attempt++) {
            try {
                return new ArrayList<>(owned);
            } catch (ConcurrentModificationException | NoSuchElementException e) {
                if (attempt == 10) {
                    return Collections.emptyList();
                }
            }
        }
    }
}
