package io.sessionmirror.agent;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code report <pid>}: what Session Mirror holds in a running server, per web app. It attaches to the
 * process (as {@code attach} does) only to start the JDK's local JMX agent there (a no-op when it runs
 * already) and then reads the agent's {@code sessionmirror:type=WebApp} MBeans: the report is the same data
 * any JMX console shows, and nothing is loaded into the server.
 */
final class ReportCommand {

    private ReportCommand() {
    }

    static String usage() {
        return "Usage: java -jar session-mirror-agent.jar report <pid>\n\n"
                + "Prints, for each web app of a running server with Session Mirror: its live sessions, a histogram\n"
                + "of the sizes of the copies written, the 5 attributes largest by average serialized size, and\n"
                + "the attributes left out of the stored copies and why. Run it as the user that owns the JVM, with\n"
                + "a JDK. Exit status: 0 printed, 1 the process cannot be reached or has no Session Mirror.\n";
    }

    static int report(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("session-mirror: report takes a process id, e.g. report 12345 (see: report --help)");
            return 2;
        }
        String pid = args[1];
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException e) {
            err.println("session-mirror: cannot attach to process " + pid + ": " + e.getMessage()
                    + ". It must be a JVM of the same user, not started with -XX:+DisableAttachMechanism.");
            return 1;
        }
        String address;
        String version;
        try {
            version = vm.getSystemProperties().getProperty(AgentInstaller.STATE_VERSION);
            if (version == null) {
                err.println("session-mirror: Session Mirror is not active in process " + pid
                        + " ('java -jar session-mirror-agent.jar list' shows where it is)");
                return 1;
            }
            address = vm.startLocalManagementAgent();
        } catch (IOException | RuntimeException e) {
            err.println("session-mirror: cannot reach JMX in process " + pid + ": " + e);
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target went away; nothing to release
            }
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            print(connector.getMBeanServerConnection(), pid, version, out);
            return 0;
        } catch (Exception e) {
            err.println("session-mirror: reading Session Mirror's MBeans in process " + pid + " failed: " + e);
            return 1;
        }
    }

    private static void print(MBeanServerConnection jmx, String pid, String version, PrintStream out) throws Exception {
        out.println("Session Mirror " + version + " in process " + pid);
        Set<ObjectName> apps = new TreeSet<>(jmx.queryNames(new ObjectName("sessionmirror:type=WebApp,*"), null));
        if (apps.isEmpty()) {
            out.println("No web app has had a request with a session yet.");
        }
        for (ObjectName name : apps) {
            out.println();
            out.println(jmx.getAttribute(name, "WebApp"));
            out.println("  live sessions (tracked on this server): " + jmx.getAttribute(name, "LiveSessions"));
            out.println("  writes: " + jmx.getAttribute(name, "Writes") + ", attributes left out: "
                    + jmx.getAttribute(name, "SkippedAttributes"));
            section(out, "sizes of the copies written (as stored)", (String[]) jmx.getAttribute(name, "StoredSizeHistogram"));
            section(out, "largest attributes (by average serialized size)",
                    (String[]) jmx.getAttribute(name, "LargestAttributes"));
            section(out, "attributes left out, and why", (String[]) jmx.getAttribute(name, "SkippedAttributeReasons"));
        }
    }

    private static void section(PrintStream out, String title, String[] lines) {
        out.println("  " + title + ":" + (lines.length == 0 ? " none" : ""));
        for (String line : lines) {
            out.println("    " + line);
        }
    }
}
