package io.sessionmirror.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar session-mirror-agent.jar <args>} as a user would, and keeps what it printed. */
final class AgentCli {

    final int exit;
    final String out;
    final String err;

    private AgentCli(int exit, String out, String err) {
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    static AgentCli run(String... args) throws Exception {
        return runAs(null, args);
    }

    /** As another user ({@code runuser -u}), when the tests run as root. */
    static AgentCli runAs(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(List.of(Servers.java(), "-jar", Servers.AGENT_JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command did not end: " + cmd);
        }
        return new AgentCli(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nstdout:\n" + out + "stderr:\n" + err;
    }
}
