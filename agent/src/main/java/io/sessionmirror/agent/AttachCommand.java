package io.sessionmirror.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code list} and {@code attach <pid> [options]}: load the agent into a JVM that was started without
 * it, through the JDK's attach API. Everything that can be checked before touching the target is
 * checked first (options, process, owner, Java version), so a refused attach leaves it as it was.
 */
final class AttachCommand {

    private AttachCommand() {
    }

    static String attachUsage() {
        return "Usage: java -jar session-mirror-agent.jar attach <pid> [options]\n\n"
                + "Loads Session Mirror into a running JVM (Tomcat, Jetty, Undertow, Spring Boot ...) that was started\n"
                + "without it, with the same options as -javaagent. Its sessions are mirrored from then on; restart\n"
                + "or fail it over and nobody is logged out.\n\n"
                + "Examples:\n"
                + "  java -jar session-mirror-agent.jar list\n"
                + "  java -jar session-mirror-agent.jar attach 12345 nodes=10.0.0.5:11211,10.0.0.6:11211\n"
                + "  sudo -u tomcat java -jar session-mirror-agent.jar attach 12345 nodes=mc1:11211\n\n"
                + "Run it as the user that owns the JVM (or root), with a JDK (the attach API is not in a JRE).\n"
                + "Exit status: 0 attached (or already active), 1 the JVM cannot be attached, 2 invalid options.\n\n"
                + "JDK 21 and later print a warning in the target when an agent is loaded into a running JVM\n"
                + "(\"A Java agent has been loaded dynamically ...\"). It is harmless; start the server with\n"
                + "-XX:+EnableDynamicAgentLoading to allow it silently. A JVM started with\n"
                + "-XX:+DisableAttachMechanism cannot be attached at all.\n";
    }

    static String listUsage() {
        return "Usage: java -jar session-mirror-agent.jar list\n\n"
                + "Lists the JVMs this user can attach to: pid, main class or jar, the server it runs (when it can\n"
                + "tell) and whether Session Mirror is already active in it.\n";
    }

    static int list(PrintStream out) {
        long self = ProcessHandle.current().pid();
        out.printf("%-8s %-12s %-20s %s%n", "PID", "SERVER", "SESSION MIRROR", "MAIN");
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(String.valueOf(self))) {
                continue;
            }
            String server = "?";
            String mirror = "?";
            try {
                VirtualMachine vm = VirtualMachine.attach(d);
                try {
                    Properties p = vm.getSystemProperties();
                    Properties agent = vm.getAgentProperties();
                    server = guessServer(p.getProperty("java.class.path", "") + " " + agent.getProperty("sun.java.command", d.displayName()));
                    String version = p.getProperty(AgentInstaller.STATE_VERSION);
                    mirror = version == null ? "no" : "active " + version;
                } finally {
                    vm.detach();
                }
            } catch (AttachNotSupportedException | IOException e) {
                mirror = "cannot attach";
            }
            out.printf("%-8s %-12s %-20s %s%n", d.id(), server, mirror, d.displayName().isEmpty() ? "?" : abbreviate(d.displayName()));
        }
        return 0;
    }

    private static String abbreviate(String command) {
        return command.length() <= 100 ? command : command.substring(0, 97) + "...";
    }

    /** The server a JVM runs, from its main class and the jars on its class path (a guess; attach tells for sure). */
    static String guessServer(String classPathAndCommand) {
        String s = classPathAndCommand.toLowerCase();
        if (s.contains("org.apache.catalina.startup.bootstrap") || s.matches("(?s).*(tomcat-embed-core|/catalina)[^/ :]*\\.jar.*")) {
            return "Tomcat";
        }
        if (s.contains("org.eclipse.jetty.start.main") || s.matches("(?s).*(jetty-server[^/ :]*|/start)\\.jar.*")) {
            return "Jetty";
        }
        if (s.matches("(?s).*(undertow-core[^/ :]*|jboss-modules)\\.jar.*")) {
            return "Undertow";
        }
        if (s.contains("org.springframework.boot.loader") || s.matches("(?s)^\\S+\\.jar.*")) {
            return "app jar";
        }
        return "?";
    }

    static int attach(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || args.length > 3) {
            err.println("session-mirror: attach takes a process id and an options string, e.g. "
                    + "attach 12345 nodes=mc1:11211 (see: attach --help)");
            return 2;
        }
        long pid;
        try {
            pid = Long.parseLong(args[1]);
        } catch (NumberFormatException e) {
            err.println("session-mirror: '" + args[1] + "' is not a process id; 'java -jar session-mirror-agent.jar list' shows them");
            return 2;
        }
        String options = args.length == 3 ? args[2] : "";
        try {
            MirrorConfig.load(options); // the same checks the agent makes, before the target is touched
        } catch (ConfigException e) {
            err.println(e.getMessage().replace(io.sessionmirror.agent.config.OptionsParser.SOURCE, "the attach options"));
            err.println("session-mirror: nothing was loaded into process " + pid);
            return 2;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (!process.isPresent() || !process.get().isAlive()) {
            err.println("session-mirror: there is no process " + pid + "; 'java -jar session-mirror-agent.jar list' shows the JVMs you can attach to");
            return 1;
        }
        String me = System.getProperty("user.name");
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(me) && !"root".equals(me)) {
            err.println("session-mirror: process " + pid + " belongs to user '" + owner.get() + "', not to '" + me
                    + "'; run the command as that user: sudo -u " + owner.get() + " java -jar " + agentJar() + " attach " + pid
                    + (options.isEmpty() ? "" : " " + options));
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(String.valueOf(pid));
        } catch (AttachNotSupportedException | IOException e) {
            err.println("session-mirror: cannot attach to process " + pid + ": " + e.getMessage()
                    + ". It must be a Java 11+ JVM of the same user, not started with -XX:+DisableAttachMechanism.");
            return 1;
        }
        try {
            Properties before = vm.getSystemProperties();
            int feature = featureVersion(before.getProperty("java.specification.version", "0"));
            if (feature < 11) {
                err.println("session-mirror: process " + pid + " runs Java " + before.getProperty("java.specification.version")
                        + "; Session Mirror needs Java 11 or later. Nothing was loaded.");
                return 1;
            }
            String active = before.getProperty(AgentInstaller.STATE_VERSION);
            if (active != null) {
                out.println("Session Mirror " + active + " is already active in process " + pid + " ("
                        + before.getProperty(AgentInstaller.STATE_MODE, "?") + "): " + before.getProperty(AgentInstaller.STATE_OPTIONS, "?"));
                if (!options.isEmpty()) {
                    // The agent applies what it safely can (nodes, log level) and names what needs a restart.
                    vm.loadAgent(agentJar().toString(), options);
                    String outcome = vm.getSystemProperties().getProperty(AgentInstaller.STATE_RECONFIGURED, "?");
                    out.println("New options: " + outcome + ".");
                    if (outcome.contains("need a restart")) {
                        out.println("Put them in the server's -javaagent flag; they take effect at its next start.");
                    }
                }
                return 0;
            }
            if (feature >= 21) {
                out.println("Note: Java " + feature + " prints \"WARNING: A Java agent has been loaded dynamically\" in the"
                        + " server's log. It is harmless; -XX:+EnableDynamicAgentLoading on the server silences it.");
            }
            long t0 = System.nanoTime();
            vm.loadAgent(agentJar().toString(), options);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            Properties after = vm.getSystemProperties();
            String version = after.getProperty(AgentInstaller.STATE_VERSION);
            if (version == null) {
                err.println("session-mirror: the agent was loaded into process " + pid + " but did not start; see the"
                        + " server's log (lines with 'session-mirror')");
                return 1;
            }
            String servers = after.getProperty(AgentInstaller.STATE_SERVERS, "");
            out.println("Session Mirror " + version + " attached to process " + pid + " in " + millis + " ms: "
                    + after.getProperty(AgentInstaller.STATE_OPTIONS, ""));
            out.println("Server: " + (servers.isEmpty() ? "no session classes of Tomcat, Jetty or Undertow are loaded yet"
                    + " (they are instrumented when they load)" : servers));
            String export = awaitExport(vm, 120_000);
            if (export.startsWith("done ")) {
                // "done <written> of <found> in <ms> ms"
                out.println("Existing sessions exported to Memcached: " + export.substring("done ".length())
                        + "; every session is mirrored from now on.");
                String apps = vm.getSystemProperties().getProperty(AgentInstaller.STATE_WEBAPPS, "");
                if (!apps.isEmpty()) {
                    out.println("Web apps with sessions: " + apps);
                }
            } else {
                out.println("The sessions that already exist are still being exported (" + export + "); the server's log"
                        + " reports when it is done. Every session is mirrored from now on.");
            }
            return 0;
        } catch (AgentLoadException | AgentInitializationException | IOException | ConfigException e) {
            err.println("session-mirror: loading the agent into process " + pid + " failed: " + e);
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target went away; nothing to release
            }
        }
    }

    /** Waits for the agent's background export to report "done ..." (or for the time limit). */
    private static String awaitExport(VirtualMachine vm, long limitMillis) throws IOException {
        long deadline = System.currentTimeMillis() + limitMillis;
        String state = "?";
        while (System.currentTimeMillis() < deadline) {
            state = vm.getSystemProperties().getProperty(AgentInstaller.STATE_EXPORT, "?");
            if (state.startsWith("done ")) {
                return state;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return state;
    }

    static int featureVersion(String specificationVersion) {
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        try {
            return Integer.parseInt(v.split("\\.")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** This jar: what is loaded into the target. */
    static Path agentJar() {
        try {
            return Paths.get(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the agent jar", e);
        }
    }
}
