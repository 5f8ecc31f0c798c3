package io.sessionmirror.agent;

import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.core.SessionMirror;
import io.sessionmirror.agent.core.WebApp;
import java.lang.instrument.Instrumentation;
import java.util.List;
import org.slf4j.Logger;

/**
 * After an attach: writes every session that already lives in the JVM to Memcached, at most {@code rate}
 * a second, on one background daemon thread, so that a crash right after the attach loses nobody and a
 * server with many sessions neither stalls nor floods Memcached. Progress goes to the log and to the
 * system property {@link AgentInstaller#STATE_EXPORT}, where the attach command reads it.
 */
final class SessionExport implements Runnable {

    private final List<SessionMirror> mirrors;
    private final Instrumentation inst;
    private final int rate;
    private final Logger log;

    private SessionExport(List<SessionMirror> mirrors, Instrumentation inst, int rate, Logger log) {
        this.mirrors = mirrors;
        this.inst = inst;
        this.rate = rate;
        this.log = log;
    }

    static void start(List<SessionMirror> mirrors, Instrumentation inst, int rate, Logger log) {
        System.setProperty(AgentInstaller.STATE_EXPORT, "running");
        Thread t = new Thread(new SessionExport(mirrors, inst, rate, log), "session-mirror-export");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        int found = 0;
        int written = 0;
        java.util.Map<String, Integer> perApp = new java.util.TreeMap<>();
        try {
            LoadedClasses loaded = new LoadedClasses(inst.getAllLoadedClasses());
            long nanosPerSession = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (SessionMirror mirror : mirrors) {
                for (Object session : mirror.liveSessions(loaded)) {
                    found++;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    next = Math.max(next, System.nanoTime() - 1_000_000_000L) + nanosPerSession; // at most 1 s of burst
                    WebApp app = mirror.export(session);
                    if (app != null) {
                        written++;
                        perApp.merge(app.toString(), 1, Integer::sum);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            log.warn("Exporting the existing sessions stopped early: {}", e.toString());
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        StringBuilder apps = new StringBuilder();
        perApp.forEach((app, n) -> apps.append(apps.length() == 0 ? "" : ", ").append(app).append(": ").append(n));
        System.setProperty(AgentInstaller.STATE_WEBAPPS, apps.toString());
        System.setProperty(AgentInstaller.STATE_EXPORT, "done " + written + " of " + found + " in " + millis + " ms");
        log.info("Exported {} of {} sessions that existed before the attach in {} ms", written, found, millis);
    }
}
