package io.sessionmirror.agent.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The text {@code inspect} prints: the header of a stored copy, then one line per section. */
final class InspectOutput {

    /** How much of a value's toString is printed. */
    static final int VALUE_CHARS = 200;

    private InspectOutput() {
    }

    static void header(PrintStream out, PayloadView v, long now) {
        out.printf("  %-14s %d (serializer %s)%n", "format", v.format, v.serializer);
        out.printf("  %-14s %d%n", "version", v.version);
        out.printf("  %-14s %s%n", "write id", hex(v.writeId));
        out.printf("  %-14s %s%n", "parent write", v.parentWriteId == 0 ? "none (a new session, or an older format)"
                : hex(v.parentWriteId));
        out.printf("  %-14s %s%n", "writer", v.writer.isEmpty() ? "not recorded (an older format)" : v.writer);
        out.printf("  %-14s %s%n", "written at", time(v.writtenAt, now));
        out.printf("  %-14s %s%n", "created", time(v.creationTime, now));
        out.printf("  %-14s %s%n", "max inactive", v.maxInactive <= 0 ? "never expires" : v.maxInactive + " s");
        out.printf("  %-14s %s%n", "auth type", v.authType == null ? "-" : v.authType);
        out.printf("  %-14s %d bytes (%s)%n", "size", v.size, flags(v));
    }

    static String flags(PayloadView v) {
        if (!v.signed && !v.encrypted && !v.compressed) {
            return "not signed, not encrypted, not compressed";
        }
        StringBuilder b = new StringBuilder();
        b.append(v.signed ? "signed" : "not signed").append(v.encrypted ? ", encrypted" : ", not encrypted");
        b.append(v.compressed ? ", compressed" : ", not compressed");
        if ((v.signed || v.encrypted) && v.keyIdKnown) {
            b.append(", key id ").append(Integer.toHexString(v.keyId));
        }
        return b.toString();
    }

    /**
     * The sections. {@code values} (null: not asked for) holds per name the text to print: the value's toString,
     * or why it cannot be shown; it is masked here when the name or class looks secret.
     */
    static void sections(PrintStream out, PayloadView v, Map<String, String> values) {
        long live = v.rows.stream().filter(r -> !r.isRemoval() && !r.isPrincipal()).count();
        out.println("Attributes (" + live + "):");
        int width = 4;
        for (PayloadView.Row r : v.rows) {
            width = Math.max(width, r.name.length());
        }
        for (PayloadView.Row r : v.rows) {
            if (r.isRemoval()) {
                continue;
            }
            String line = String.format("  %-" + width + "s  %-40s %8d bytes  stamp %d", r.name, r.className, r.bytes,
                    r.stamp);
            if (r.isPrincipal()) {
                line += "  (the principal: its name only, never its credentials)";
            }
            out.println(line);
            if (values != null) {
                String text = values.get(r.name);
                out.println("  " + " ".repeat(width) + "  = " + (r.isPrincipal() ? (text == null ? "-" : text)
                        : SecretMask.shown(r.name, r.className, text == null ? "-" : text, VALUE_CHARS)));
            }
        }
        boolean removals = false;
        for (PayloadView.Row r : v.rows) {
            if (r.isRemoval()) {
                out.println((removals ? "  " : "Removed (kept so that a merge keeps them removed):\n  ") + r.name
                        + "  at version " + r.stamp);
                removals = true;
            }
        }
    }

    static String hex(long id) {
        return String.format("%016x", id);
    }

    static String time(long millis, long now) {
        if (millis <= 0) {
            return "-";
        }
        long ago = Math.max(0, now - millis);
        Duration d = Duration.ofMillis(ago);
        String rel = ago < 1000 ? "just now" : d.toDays() > 0 ? d.toDays() + " d ago"
                : d.toHours() > 0 ? d.toHours() + " h ago" : d.toMinutes() > 0 ? d.toMinutes() + " min ago"
                : d.getSeconds() + " s ago";
        return Instant.ofEpochMilli(millis) + " (" + rel + ")";
    }
}
