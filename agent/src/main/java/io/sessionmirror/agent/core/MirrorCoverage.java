package io.sessionmirror.agent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * What the agent mirrors in this JVM, said in the log so that "active" never stands alone: one line the first
 * time each web app has a session mirrored (which app, under which keys, on which server), and one ERROR when
 * every server the families found was left alone ({@link FamilyGate}), so nothing is mirrored at all.
 */
public final class MirrorCoverage {

    private final Logger log;
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    private final List<FamilyGate> gates = new CopyOnWriteArrayList<>();
    private volatile boolean nothingSaid;

    public MirrorCoverage(Logger log) {
        this.log = log;
    }

    /** What the agent waits for once started: "a Tomcat, Jetty or Undertow server". */
    public static String waitingFor(List<? extends ServerFamily> families) {
        List<String> names = new ArrayList<>();
        for (ServerFamily f : families) {
            names.add(f.name());
        }
        if (names.isEmpty()) {
            return "no server family";
        }
        String last = names.remove(names.size() - 1);
        return "a " + (names.isEmpty() ? last : String.join(", ", names) + " or " + last) + " server";
    }

    void watch(FamilyGate gate) {
        gates.add(gate);
    }

    /** A session of {@code app} is mirrored: said once per web app (its key namespace). */
    void mirrors(WebApp app, Object session) {
        if (app == null || !announced.add(app.namespace())) {
            return;
        }
        log.info("Session Mirror mirrors {} (keys {}<id>, server {})", app, app.namespace(), serverOf(session));
    }

    /** The key namespaces of the web apps said to be mirrored so far. */
    Set<String> mirrored() {
        return java.util.Collections.unmodifiableSet(announced);
    }

    /** A gate left a server alone: if no family works anywhere, nothing is mirrored in this JVM; said once. */
    void leftAlone() {
        List<String> families = new ArrayList<>();
        for (FamilyGate gate : gates) {
            if (gate.active()) {
                return;
            }
            if (!gate.refusals().isEmpty()) {
                families.add(gate.family().name());
            }
        }
        synchronized (this) {
            if (nothingSaid || families.isEmpty()) {
                return;
            }
            nothingSaid = true;
        }
        log.error("Session Mirror mirrors nothing in this JVM: it left every server it found alone ({}), see the"
                + " warning above for why and what to change. Sessions are not mirrored.", String.join(", ", families));
    }

    /** The server's jar and version as the session's class was loaded from, plus the product around it if known. */
    static String serverOf(Object session) {
        String server;
        try {
            server = FamilyGate.serverVersion(session == null ? null : session.getClass().getProtectionDomain());
        } catch (RuntimeException e) {
            server = "an unknown version";
        }
        String product = ServerProduct.get();
        return product == null ? server : server + " in " + product;
    }
}
