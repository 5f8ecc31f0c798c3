package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code check-deploy <war | class path> nodes=... app=/ctx [sample=N]}: before a deploy, reads up to N stored
 * sessions of the web app with the NEW version's classes and reports which attributes would not restore and why.
 * Nothing is written to the store; each session is decoded exactly as a server with those classes would decode it.
 */
public final class CheckDeployCommand {

    private static final Set<String> OWN = Set.of("app", "host", "sample");
    static final int DEFAULT_SAMPLE = 100;

    private CheckDeployCommand() {
    }

    public static String usage() {
        return "Usage: java -jar session-mirror-agent.jar check-deploy <war | class path> nodes=<nodes> app=/<context path>\n"
                + "         [host=<virtual host>] [sample=N (default " + DEFAULT_SAMPLE + ")] [secret=... and the other"
                + " agent options]\n\n"
                + "Reads up to N stored sessions of the web app and decodes each with the classes of the new version:\n"
                + "a war (WEB-INF/classes and WEB-INF/lib), an exploded war, or directories and jars separated by ':'\n"
                + "(dir/* for every jar in a directory; add the server's lib, e.g. app.war:/opt/tomcat/lib/*, when a\n"
                + "session class implements a servlet API interface). Prints how many sessions restore whole and, per\n"
                + "attribute, class and reason, how many sessions would lose it.\n"
                + StoredSessions.method(false) + "\n"
                + "With Redis: " + StoredSessions.method(true) + "\n"
                + "Exit status 0 when every sampled attribute restores, 2 when some would be dropped, 1 on errors.\n\n"
                + "Example:\n"
                + "  java -jar session-mirror-agent.jar check-deploy shop-2.0.war nodes=mc1:11211,mc2:11211 app=/shop\n";
    }

    public static int run(List<String> words, PrintStream out, PrintStream err) {
        ToolArgs args;
        ToolContext ctx;
        int sample;
        try {
            args = ToolArgs.parse(words, OWN, Set.of(), 1);
            ctx = ToolContext.of(args);
            sample = args.positive("sample", DEFAULT_SAMPLE);
        } catch (ConfigException e) {
            err.println("check-deploy: " + e.getMessage());
            err.println("usage: check-deploy <war | class path> nodes=... app=/ctx [sample=N]; see check-deploy --help");
            return 1;
        }
        try (DeployClassPath classes = DeployClassPath.of(args.positional.get(0))) {
            out.println("Checking " + ctx.appName() + " (keys " + ctx.namespace + "*) against " + args.positional.get(0)
                    + " (" + classes.describe() + ")");
            boolean redis = ctx.config.redis() != null;
            out.println(StoredSessions.method(redis).replace("N found", sample + " found"));
            StoredSessions found = StoredSessions.find(ctx, sample);
            found.notes.forEach(n -> out.println("  " + n));
            if (found.walkedNodes == 0) {
                err.println("check-deploy: no node could be walked, nothing was checked");
                return 1;
            }
            DeployReport report = new DeployReport();
            try (SessionStore store = ctx.openStore()) {
                for (String key : found.keys) {
                    check(ctx, store, key, classes.loader(), report);
                }
            }
            report.print(out);
            int exit = report.exitCode(found.failedNodes > 0);
            if (found.failedNodes > 0) {
                out.println("Not every node was walked: the sample is incomplete (exit status 1).");
            }
            return exit;
        } catch (IOException | RuntimeException e) {
            err.println("check-deploy: " + e.getMessage());
            return 1;
        }
    }

    /** Reads one session's newest copy and decodes it as a server with {@code loader} would. */
    static void check(ToolContext ctx, SessionStore store, String key, ClassLoader loader, DeployReport report) {
        byte[] stored;
        try {
            stored = store.get(key);
        } catch (StoreException e) {
            report.error("the store did not answer (" + e.getMessage() + ")");
            return;
        }
        if (stored == null) {
            report.vanished++; // expired or ended between the walk and the read
            return;
        }
        if (StoredCopy.isTombstone(stored)) {
            report.ended++;
            return;
        }
        String id = key.substring(ctx.namespace.length());
        try {
            Decoded d = ctx.codec.decode(stored, loader, id, key);
            report.restored(CodecAccess.dropped(d));
        } catch (CorruptPayloadException e) {
            // refused whole (class filter, signature, corrupt frame) or, before format 5, one class that fails
            if (CodecAccess.needsSecret(e, ctx.hasSecret())) {
                report.error(e.getMessage() + " (give secret= as the servers have it)");
            } else {
                report.lostWhole(e.getMessage());
            }
        }
    }
}
