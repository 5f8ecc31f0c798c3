package io.sessionmirror.agent;

import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.Option;
import io.sessionmirror.agent.tools.CheckDeployCommand;
import io.sessionmirror.agent.tools.InspectCommand;
import java.io.PrintStream;

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
            case "report":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(ReportCommand.usage());
                    return 0;
                }
                return ReportCommand.report(args, out, err);
            case "inspect":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(InspectCommand.usage());
                    return 0;
                }
                return InspectCommand.run(rest(args), out, err);
            case "check-deploy":
                if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                    out.print(CheckDeployCommand.usage());
                    return 0;
                }
                return CheckDeployCommand.run(rest(args), out, err);
            default:
                err.println("session-mirror: unknown command '" + command + "'; commands: help, version, check, list,"
                        + " attach, report, inspect, check-deploy");
                return 2;
        }
    }

    private static java.util.List<String> rest(String[] args) {
        return java.util.Arrays.asList(args).subList(1, args.length);
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
                + "  java -jar session-mirror-agent.jar report <pid>      live sessions, sizes, largest and skipped attributes\n"
                + "  java -jar session-mirror-agent.jar inspect <session-id> nodes=... app=/ctx [--values]\n"
                + "                                                      print a stored session (header, attributes)\n"
                + "  java -jar session-mirror-agent.jar check-deploy <war | class path> nodes=... app=/ctx [sample=N]\n"
                + "                                                      which stored attributes the new classes\n"
                + "                                                      would not restore, before a deploy\n"
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
        for (Option<?> o : Option.values()) {
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
        for (Option<?> o : Option.values()) {
            String source = config.sourceOf(o);
            out.printf("  %-13s %-30s (%s)%n", o.key(), config.shown(o), source == null ? "not set" : source);
        }
        int failures = 0;
        io.sessionmirror.agent.config.RedisUri redis = config.redis();
        if (redis != null) {
            boolean inUri = redis.password() != null; // as the agent does: credentials in the URI win
            String answer = io.sessionmirror.agent.store.redis.RedisStore.check(redis,
                    inUri ? redis.user() : config.username(), inUri ? redis.password() : config.password(),
                    Math.max(config.timeoutMillis(), 1000), config.tls());
            out.println("  " + redis + ": " + answer);
            return answer.startsWith("Redis ") ? 0 : 1;
        }
        java.util.List<NodeAddress> nodes = new java.util.ArrayList<>();
        for (NodeAddress entry : config.nodes()) {
            if (!entry.isDiscovered()) {
                nodes.add(entry);
                continue;
            }
            try {
                java.util.List<NodeAddress> found = io.sessionmirror.agent.store.NodeDiscovery.lookUpOnce(entry,
                        config.tls() == null ? javax.net.SocketFactory.getDefault() : config.tls().verifyingSocketFactory(), Math.max(config.timeoutMillis(), 1000));
                out.println("  " + entry + " -> " + (found.isEmpty() ? "no node" : found));
                nodes.addAll(found);
                failures += found.isEmpty() ? 1 : 0;
            } catch (Exception e) {
                out.println("  " + entry + ": lookup failed (" + e.getMessage() + ")");
                failures++;
            }
        }
        for (NodeAddress node : nodes) {
            String answer = config.username() == null ? ping(node, Math.max(config.timeoutMillis(), 1000), config.tls())
                    : io.sessionmirror.agent.store.SaslCheck.authenticate(node, config.username(), config.password(),
                            Math.max(config.timeoutMillis(), 1000), config.tls());
            out.println("  memcached " + node + ": " + answer);
            if (!answer.startsWith("VERSION")) {
                failures++;
            } else if (config.username() == null && config.tls() == null) { // no proxy speaks TLS
                out.print(proxyHint(node, config.replicas(), Math.max(config.timeoutMillis(), 1000)));
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** What an operator should know when a node is a proxy (it answers version, not stats); "" otherwise. */
    static String proxyHint(NodeAddress node, int replicas, int timeoutMillis) {
        if (io.sessionmirror.agent.store.TextProtocolProbe.classify(node, timeoutMillis)
                != io.sessionmirror.agent.store.TextProtocolProbe.Kind.PROXY) {
            return "";
        }
        return "    a proxy (it answers 'version' but not 'stats', as twemproxy does): a server behind it that restarts"
                + " empty cannot be noticed; see operations.md, 'Behind twemproxy'\n"
                + (replicas > 0 ? "    replicas=" + replicas + " with a proxy: the proxy shards and fails over by"
                + " itself; set replicas=0\n" : "");
    }

    /** Asks a node for its version over the text protocol, over TLS when {@code tls} is set. */
    static String ping(NodeAddress node, int timeoutMillis, io.sessionmirror.agent.config.TlsSettings tls) {
        return io.sessionmirror.agent.store.VersionCheck.ask(node, timeoutMillis, tls);
    }
}
