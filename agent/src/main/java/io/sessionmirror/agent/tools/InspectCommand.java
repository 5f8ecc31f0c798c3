package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code inspect <session-id> nodes=... app=/ctx [host=...] [secret=...] [--values] [classpath=...]}: prints the
 * stored copy of one session as the agent would find it (the newest copy over the nodes). Header and section table
 * are read without deserializing anything; values only with {@code --values}, from the classes of
 * {@code classpath=} (JDK classes without it), secrets masked. Nothing is written to the store.
 */
public final class InspectCommand {

    private static final Set<String> OWN = Set.of("app", "host", "classpath");

    private InspectCommand() {
    }

    public static String usage() {
        return "Usage: java -jar session-mirror-agent.jar inspect <session-id> nodes=<nodes> app=/<context path>\n"
                + "         [host=<virtual host>] [secret=... encrypt=... and the other agent options]\n"
                + "         [--values [classpath=<war | dirs and jars separated by ':'>]]\n\n"
                + "Prints the stored copy of one session: its header (format, version, write ids, times, timeout,\n"
                + "size, signed/encrypted/compressed) and its attributes (name, class, bytes, the version at which\n"
                + "each last changed). Nothing is deserialized unless --values is given; then each value's toString is\n"
                + "printed (classes from classpath=, JDK classes without it), and an attribute whose name or class\n"
                + "looks secret (password, secret, token, credential, key) prints ****; of the principal only the name.\n"
                + "Give the same secret= (and encrypt=) as the servers to read a signed or encrypted session.\n"
                + "Exit status 0 when the session was found, 1 when it was not or on errors.\n\n"
                + "Example:\n"
                + "  java -jar session-mirror-agent.jar inspect 8F3A2C0D1E5B nodes=mc1:11211,mc2:11211 app=/shop\n";
    }

    public static int run(List<String> words, PrintStream out, PrintStream err) {
        ToolArgs args;
        ToolContext ctx;
        try {
            args = ToolArgs.parse(words, OWN, Set.of("--values"), 1);
            ctx = ToolContext.of(args);
        } catch (ConfigException e) {
            err.println("inspect: " + e.getMessage());
            err.println("usage: inspect <session-id> nodes=... app=/ctx [--values]; see inspect --help");
            return 1;
        }
        String id = args.positional.get(0);
        String key = ctx.key(id);
        out.println("Session " + id + " of " + ctx.appName() + ", key " + key);
        byte[] stored;
        try (SessionStore store = ctx.openStore()) {
            stored = store.get(key);
        } catch (StoreException | IOException | RuntimeException e) {
            err.println("inspect: cannot read the store: " + e.getMessage());
            return 1;
        }
        if (stored == null) {
            out.println("No stored copy under this key: the session was never stored, has expired, or belongs to"
                    + " another web app, host or prefix (app=, host=, prefix=).");
            return 1;
        }
        if (StoredCopy.isTombstone(stored)) {
            // the tombstone's layout is StoredCopy's: 'S' 'M' 4 0 writtenAt(8) expirySeconds(4)
            out.println("  ended (tombstone) at " + InspectOutput.time(ByteBuffer.wrap(stored, 4, 8).getLong(),
                    System.currentTimeMillis()) + ": logged out, timed out or moved to a new id; no server restores it");
            return 0;
        }
        PayloadView view;
        try {
            view = CodecAccess.describe(ctx.codec, stored, key);
        } catch (CorruptPayloadException e) {
            out.println("  the stored value cannot be read: " + e.getMessage());
            return 1;
        }
        InspectOutput.header(out, view, System.currentTimeMillis());
        if (view.signed && !ctx.hasSecret() && view.rows != null) {
            out.println("  (the signature was not checked: no secret= given)");
        }
        if (view.rows == null) {
            out.println((view.signed || view.encrypted)
                    ? (view.signed && view.encrypted ? "Signed and encrypted" : view.encrypted ? "Encrypted" : "Signed")
                    + (view.keyIdKnown ? " with key id " + Integer.toHexString(view.keyId) : "")
                    + ": give secret=... (the servers' secret) to read the attributes" + (view.rowsUnreadable == null ? "" : " (" + view.rowsUnreadable + ")")
                    : "Attributes: " + view.rowsUnreadable);
            return 0;
        }
        Map<String, String> values = null;
        if (args.has("--values")) {
            try {
                values = values(ctx, args.own("classpath"), stored, id, key);
            } catch (CorruptPayloadException e) {
                out.println("  the values cannot be read: " + e.getMessage());
            } catch (IOException e) {
                err.println("inspect: " + e.getMessage());
                return 1;
            }
        } else if (args.own("classpath") != null) {
            err.println("inspect: classpath= is used only with --values");
        }
        InspectOutput.sections(out, view, values);
        return 0;
    }

    /** Per attribute name, the value's toString or why it cannot be shown; the principal by its name. */
    private static Map<String, String> values(ToolContext ctx, String classPath, byte[] stored, String id, String key)
            throws IOException, CorruptPayloadException {
        Map<String, String> values = new HashMap<>();
        DeployClassPath classes = classPath == null ? null : DeployClassPath.of(classPath);
        try {
            ClassLoader loader = classes == null ? ClassLoader.getPlatformClassLoader() : classes.loader();
            Decoded d = ctx.codec.decode(stored, loader, id, key);
            d.data.attributes().forEach((name, value) -> values.put(name, text(value)));
            Principal p = d.data.principal();
            if (p != null) {
                values.put(CodecAccess.PRINCIPAL, "name " + safeName(p));
            }
            for (String[] lost : CodecAccess.dropped(d)) {
                values.put(lost[0], "cannot be shown: " + lost[2] + (classes == null
                        ? " (no classpath= given: only JDK classes can be read; give classpath=<the web app's war>)"
                        : ""));
            }
        } finally {
            if (classes != null) {
                classes.close();
            }
        }
        return values;
    }

    private static String text(Object value) {
        try {
            return value == null ? "null" : String.valueOf(value);
        } catch (RuntimeException | LinkageError e) {
            return "(its toString failed: " + e + ")";
        }
    }

    private static String safeName(Principal p) {
        try {
            return p.getName();
        } catch (RuntimeException | LinkageError e) {
            return "(getName failed: " + e + ")";
        }
    }
}
