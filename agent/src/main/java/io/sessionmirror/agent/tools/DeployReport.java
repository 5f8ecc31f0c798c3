package io.sessionmirror.agent.tools;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code check-deploy} found over its sample: how many sessions restore whole, and per (attribute, class,
 * reason) how many sessions would lose that attribute under the new classes. Sessions that cannot be read at all
 * are counted per reason: a copy refused whole (its class filter, a bad signature) would be lost whole too; one
 * that needs a secret this run was not given is an error of the run, not of the deploy.
 */
final class DeployReport {

    int read;
    int whole;
    int ended;
    int vanished;
    /** "name\tclass\treason" -> sessions. */
    private final Map<String, Integer> dropped = new TreeMap<>();
    /** reason -> sessions that would be lost whole. */
    private final Map<String, Integer> lostWhole = new TreeMap<>();
    /** reason -> sessions this run could not judge (no secret...). */
    private final Map<String, Integer> errors = new TreeMap<>();

    /** A session that decoded, with the attributes it lost (name, class, reason each). */
    void restored(List<String[]> lost) {
        read++;
        if (lost.isEmpty()) {
            whole++;
        }
        for (String[] l : lost) {
            dropped.merge(l[0] + "\t" + l[1] + "\t" + l[2], 1, Integer::sum);
        }
    }

    void lostWhole(String reason) {
        read++;
        lostWhole.merge(reason, 1, Integer::sum);
    }

    void error(String reason) {
        read++;
        errors.merge(reason, 1, Integer::sum);
    }

    /** 0: every sampled attribute restores; 2: some would be dropped; 1: the run itself had errors. */
    int exitCode(boolean enumerationFailed) {
        if (enumerationFailed || !errors.isEmpty()) {
            return 1;
        }
        return dropped.isEmpty() && lostWhole.isEmpty() ? 0 : 2;
    }

    void print(PrintStream out) {
        out.println("Sessions read: " + read + (ended == 0 ? "" : " (plus " + ended + " ended, tombstones)")
                + (vanished == 0 ? "" : " (plus " + vanished + " gone between listing and reading)"));
        out.println("Sessions that restore whole: " + whole);
        if (!dropped.isEmpty()) {
            out.println("Attributes that would be dropped (the rest of each session restores):");
            for (Map.Entry<String, Integer> e : dropped.entrySet()) {
                String[] p = e.getKey().split("\t", 3);
                out.println("  '" + p[0] + "' (" + p[1] + ") in " + e.getValue() + " session" + plural(e.getValue())
                        + ": " + p[2]);
                String hint = hint(p[2]);
                if (hint != null) {
                    out.println("      " + hint);
                }
            }
        }
        for (Map.Entry<String, Integer> e : lostWhole.entrySet()) {
            out.println("Sessions that would not restore at all: " + e.getValue() + ": " + e.getKey());
        }
        for (Map.Entry<String, Integer> e : errors.entrySet()) {
            out.println("Sessions not checked: " + e.getValue() + ": " + e.getKey());
        }
    }

    /** What to do about a reason that is often the class path of this run rather than the deploy. */
    static String hint(String reason) {
        if (reason.contains("javax/servlet") || reason.contains("jakarta/servlet") || reason.contains("javax.servlet")
                || reason.contains("jakarta.servlet")) {
            return "(a class of the servlet API, which the server provides: add the server's jars to the class path,"
                    + " e.g. shop.war:/opt/tomcat/lib/*)";
        }
        return null;
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
