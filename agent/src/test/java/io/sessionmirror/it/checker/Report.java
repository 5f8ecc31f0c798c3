package io.sessionmirror.it.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run found: schedules completed, requests, and per invariant the schedules that broke it, with the first
 * few examples in full (the schedule and its seed, the requests that show it, the faults while it ran).
 */
final class Report {

    private static final int EXAMPLES = 3;
    private static final String[] NAMES = {
        "a: acknowledged write lost", "b: retired id restorable", "c: older count served after a newer one",
        "d: request failed because of the agent"};

    private final CheckerConfig config;
    private final long t0;
    private int schedules;
    private int requests;
    private int brokenOrRefused;
    private final Map<Character, Integer> violating = new LinkedHashMap<>();
    private final Map<Character, List<String>> examples = new LinkedHashMap<>();
    private final Map<String, Integer> causes = new java.util.TreeMap<>();
    private List<FaultInjector.Fault> faults = List.of();

    Report(CheckerConfig config, long t0) {
        this.config = config;
        this.t0 = t0;
        for (char c : new char[] {'a', 'b', 'c', 'd'}) {
            violating.put(c, 0);
            examples.put(c, new ArrayList<>());
        }
    }

    synchronized void add(UserDriver.Run run, List<InvariantChecker.Violation> found, FaultInjector faultLog) {
        schedules++;
        List<Observation> history;
        synchronized (run.observations) {
            history = new ArrayList<>(run.observations);
        }
        requests += history.size();
        for (Observation o : history) {
            if (!o.ok()) {
                brokenOrRefused++;
            }
        }
        List<Character> counted = new ArrayList<>();
        for (InvariantChecker.Violation v : found) {
            if (!counted.contains(v.invariant())) {
                counted.add(v.invariant());
                violating.merge(v.invariant(), 1, Integer::sum);
                causes.merge("(" + v.invariant() + ") " + v.tag + faultsBetween(v, faultLog), 1, Integer::sum);
            }
            List<String> ex = examples.get(v.invariant());
            if (ex.size() < EXAMPLES) {
                String text = example(run, v, history, faultLog);
                ex.add(text);
                System.out.println("[checker] VIOLATION " + text);
            }
        }
    }

    /** For (a) and (c): which kinds of fault struck between the two requests compared, e.g. " [SIGTERM]". */
    private static String faultsBetween(InvariantChecker.Violation v, FaultInjector faultLog) {
        if (faultLog == null || v.evidence().size() < 2 || (v.invariant() != 'a' && v.invariant() != 'c')) {
            return "";
        }
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (FaultInjector.Fault f : faultLog.between(v.evidence().get(0).start(), v.evidence().get(1).end())) {
            String w = f.what();
            if (w.startsWith("SIGTERM")) {
                kinds.add("SIGTERM");
            } else if (w.startsWith("kill -9 server")) {
                kinds.add("kill -9");
            } else if (w.contains("read its SESSIONS.ser")) {
                kinds.add("restart from SESSIONS.ser");
            } else if (w.startsWith("kill -9 memcached")) {
                kinds.add("memcached lost");
            }
        }
        return kinds.isEmpty() ? " [no fault between]" : " " + kinds;
    }

    private String example(UserDriver.Run run, InvariantChecker.Violation v, List<Observation> history,
                           FaultInjector faultLog) {
        StringBuilder b = new StringBuilder();
        b.append("(").append(v.invariant()).append(") ").append(v.what()).append("\n  run seed ").append(config.seed())
                .append(", ").append(run.schedule).append("\n  evidence:\n");
        for (Observation o : v.evidence()) {
            b.append("    ").append(o.describe(t0)).append('\n');
        }
        b.append("  history:\n");
        for (Observation o : history) {
            b.append("    ").append(o.describe(t0)).append('\n');
        }
        long from = history.isEmpty() ? t0 : history.get(0).start();
        long to = history.isEmpty() ? t0 : history.get(history.size() - 1).end();
        b.append("  faults during the schedule:");
        for (FaultInjector.Fault f : faultLog == null ? List.<FaultInjector.Fault>of() : faultLog.between(from, to)) {
            b.append(String.format("%n    %.3f s %s", (f.at() - t0) / 1e9, f.what()));
        }
        return b.toString();
    }

    synchronized void faults(List<FaultInjector.Fault> all) {
        this.faults = all;
    }

    synchronized int schedules() {
        return schedules;
    }

    synchronized int violations() {
        int n = 0;
        for (int v : violating.values()) {
            n += v;
        }
        return n;
    }

    synchronized String summary() {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (FaultInjector.Fault f : faults) {
            String w = f.what();
            if (w.startsWith("kill -9 server") || w.startsWith("SIGTERM") || w.startsWith("kill -9 memcached")) {
                kinds.merge(w.replaceAll(" [^ ]+$", ""), 1, Integer::sum);
            }
        }
        StringBuilder b = new StringBuilder("[checker] ").append(config).append("\n[checker] ").append(schedules)
                .append(" schedules, ").append(requests).append(" requests, faults ").append(kinds)
                .append(", ").append(brokenOrRefused).append(" requests not answered 200 (excused when a kill or stop overlapped them, else counted under d)\n");
        for (int i = 0; i < NAMES.length; i++) {
            char c = (char) ('a' + i);
            b.append("[checker]   (").append(NAMES[i]).append("): ").append(violating.get(c)).append(" schedules\n");
        }
        for (Map.Entry<String, Integer> e : causes.entrySet()) {
            b.append("[checker]     ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return b.toString();
    }

    synchronized String examples() {
        StringBuilder b = new StringBuilder();
        for (List<String> ex : examples.values()) {
            for (String e : ex) {
                b.append(e).append("\n\n");
            }
        }
        return b.toString();
    }
}
