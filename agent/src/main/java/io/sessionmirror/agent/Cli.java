package io.sessionmirror.agent;

import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.Option;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The command line: {@code java -jar session-mirror-agent.jar <command>}. */
public final class Cli {

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                out.print(usage());
                return 0;
            case "version":
            case "--version":
                out.println("Session Mirror " + Version.get());
                return 0;
            case "check":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(checkUsage());
                    return 0;
                }
                return check(args.length > 1 ? args[1] : "", out, err);
            case "list":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(AttachCommand.listUsage());
                    return 0;
                }
                return AttachCommand.list(out);
            case "attach":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(AttachCommand.attachUsage());
                    return 0;
                }
                return AttachCommand.attach(args, out, err);
            default:
                err.println("session-mirror: unknown command '" + command + "'; commands: help, version, check, list, attach");
                return 2;
        }
    }

    private static String usage() {
        return "Session Mirror " + Version.get() + ": mirrors servlet sessions to Memcached.\n\n"
                + "As an agent (the usual way):\n"
                + "  java -javaagent:/path/session-mirror-agent.jar=nodes=mc1:11211,mc2:11211 ...\n\n"
                + "Commands:\n"
                + "  java -jar session-mirror-agent.jar check <options>   check options and reach each Memcached node\n"
                + "  java -jar session-mirror-agent.jar list              the JVMs you can attach to\n"
                + "  java -jar session-mirror-agent.jar attach <pid> <options>\n"
                + "                                                      load the agent into a running JVM\n"
                + "  java -jar session-mirror-agent.jar version           print the version\n"
                + "  java -jar session-mirror-agent.jar help              this text\n\n"
                + "Options (key=value, separated by commas; see docs/configuration.md):\n"
                + optionList();
    }

    private static String checkUsage() {
        return "Usage: java -jar session-mirror-agent.jar check <options>\n\n"
                + "Checks an options string exactly as -javaagent would (together with -Dsessionmirror.*,\n"
                + "SESSIONMIRROR_* and the config file), prints the effective settings and where each came from,\n"
                + "then tries each Memcached node. Exit status 0 when all is well, 1 when a node does not answer,\n"
                + "2 when the options are invalid.\n\n"
                + "Example:\n"
                + "  java -jar session-mirror-agent.jar check nodes=10.0.0.5:11211,10.0.0.6:11211,write=sync\n";
    }

    private static String optionList() {
        StringBuilder b = new StringBuilder();
        for (Option o : Option.values()) {
            b.append(String.format("  %-11s %s%s%n", o.key(), o.accepted(),
                    o.defaultValue() == null ? "" : " (default " + o.defaultValue() + ")"));
        }
        return b.toString();
    }

    private static int check(String options, PrintStream out, PrintStream err) {
        MirrorConfig config;
        try {
            config = MirrorConfig.load(options);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        out.println("Options are valid. Effective settings:");
        for (Option o : Option.values()) {
            String value;
            switch (o) {
                case NODES: value = config.nodes().toString(); break;
                case ENABLED: value = String.valueOf(config.enabled()); break;
                case WRITE: value = config.writeMode().name().toLowerCase(); break;
                case SERIALIZER: value = config.serializer().name().toLowerCase(); break;
                case PREFIX: value = config.prefix(); break;
                case TIMEOUT: value = config.timeoutMillis() + " ms"; break;
                case QUEUE: value = String.valueOf(config.queueCapacity()); break;
                case LOG: value = config.logLevel(); break;
                case EXPORT: value = config.exportRate() + " sessions/s"; break;
                case REPLICAS: value = config.replicas() + " (" + (config.replicas() + 1) + " copies of each session)"; break;
                case MODE: value = config.value(o); break;
                case ROUTE: value = config.route() == null ? "the server's own (jvmRoute / worker name)" : config.route(); break;
                case LOCK: value = config.value(o); break;
                case LOCK_WAIT: value = config.lockWaitMillis() + " ms"; break;
                case SECRET: case SECRET_FILE:
                    value = config.sourceOf(o) == null ? "-" : config.secrets().size() + " secret(s), "
                            + Option.MASK; break;
                case ENCRYPT: value = String.valueOf(config.encrypt()); break;
                case USERNAME: value = config.username() == null ? "- (no SASL)" : config.username(); break;
                case PASSWORD: case PASSWORD_FILE: value = config.sourceOf(o) == null ? "-" : Option.MASK; break;
                case MAX_SIZE: value = config.maxSize() + " bytes"; break;
                case COMPRESS: value = config.compressAbove() < 0 ? "off" : "above " + config.compressAbove() + " bytes";
                    break;
                default: value = config.sourceOf(o) == null ? "-" : "set"; break;
            }
            String source = config.sourceOf(o);
            out.printf("  %-13s %-30s (%s)%n", o.key(), value, source == null ? "not set" : source);
        }
        int failures = 0;
        for (NodeAddress node : config.nodes()) {
            String answer = config.username() == null ? ping(node, Math.max(config.timeoutMillis(), 1000))
                    : authenticate(node, config.username(), config.password(), Math.max(config.timeoutMillis(), 1000));
            out.println("  memcached " + node + ": " + answer);
            if (!answer.startsWith("VERSION")) {
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * Authenticates to a SASL-enabled node over the binary protocol (SASL auth, PLAIN), then asks its
     * version: "VERSION x" when the user name and password are accepted.
     */
    static String authenticate(NodeAddress node, String user, String password, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            java.io.DataOutputStream o = new java.io.DataOutputStream(s.getOutputStream());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            byte[] mech = "PLAIN".getBytes(StandardCharsets.US_ASCII);
            byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
            binaryRequest(o, 0x21, mech, token);
            Object[] auth = binaryResponse(in);
            int status = (Integer) auth[0];
            if (status == 0x20) {
                return "authentication failed (user name or password wrong)";
            }
            if (status != 0) {
                return "authentication failed (status 0x" + Integer.toHexString(status) + ": " + auth[1] + ")";
            }
            binaryRequest(o, 0x0b, new byte[0], new byte[0]);
            Object[] version = binaryResponse(in);
            return (Integer) version[0] == 0 ? "VERSION " + version[1] + " (authenticated as " + user + ")"
                    : "authenticated, but version failed (status " + version[0] + ")";
        } catch (Exception e) {
            return "not reachable (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        }
    }

    private static void binaryRequest(java.io.DataOutputStream o, int opcode, byte[] key, byte[] value)
            throws java.io.IOException {
        o.writeByte(0x80);
        o.writeByte(opcode);
        o.writeShort(key.length);
        o.writeByte(0); // extras length
        o.writeByte(0); // data type
        o.writeShort(0); // vbucket
        o.writeInt(key.length + value.length);
        o.writeInt(0); // opaque
        o.writeLong(0); // cas
        o.write(key);
        o.write(value);
        o.flush();
    }

    /** {status, body as text}. */
    private static Object[] binaryResponse(java.io.DataInputStream in) throws java.io.IOException {
        byte[] header = new byte[24];
        in.readFully(header);
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(header);
        int keyLength = h.getShort(2) & 0xFFFF;
        int extras = header[4] & 0xFF;
        int status = h.getShort(6) & 0xFFFF;
        int total = h.getInt(8);
        if (total < 0 || total > 1 << 20) {
            throw new java.io.IOException("not a memcached binary response");
        }
        byte[] body = new byte[total];
        in.readFully(body);
        int skip = Math.min(total, keyLength + extras);
        return new Object[] {status, new String(body, skip, total - skip, StandardCharsets.UTF_8)};
    }

    /** Asks a node for its version over the text protocol. */
    static String ping(NodeAddress node, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream o = s.getOutputStream();
            o.write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.length() == 0 ? "no answer" : line.toString();
        } catch (Exception e) {
            return "not reachable (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        }
    }
}
