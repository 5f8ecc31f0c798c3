package io.sessionmirror.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real twemproxy (Debian's {@code nutcracker}) on a free loopback port in front of memcached processes, with a
 * configuration written for the test: ketama on fnv1a_64 as twemproxy's documentation recommends for memcached,
 * its statistics on a free port of their own, aggregated every 100 ms so a test can wait on them.
 */
public final class Twemproxy implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int statsPort;
    private final List<Memcached> servers;
    private Process process;

    private Twemproxy(Path dir, int port, int statsPort, List<Memcached> servers) {
        this.dir = dir;
        this.port = port;
        this.statsPort = statsPort;
        this.servers = servers;
    }

    /**
     * Starts nutcracker in front of {@code servers}, named s0, s1, ... in its configuration. With
     * {@code autoEject}, a server that fails once is taken out of the ring for {@code retryMillis} (its keys go
     * to the others meanwhile); without, its keys fail until it is back.
     */
    public static Twemproxy start(List<Memcached> servers, boolean autoEject, int retryMillis) throws Exception {
        Path dir = Files.createTempDirectory("twemproxy-");
        Twemproxy t = new Twemproxy(dir, Memcached.freePort(), Memcached.freePort(), servers);
        StringBuilder yaml = new StringBuilder()
                .append("sessions:\n")
                .append("  listen: 127.0.0.1:").append(t.port).append('\n')
                .append("  hash: fnv1a_64\n")
                .append("  distribution: ketama\n")
                // below the agent's timeouts in the tests: a hung server is answered with SERVER_ERROR first
                .append("  timeout: 400\n")
                .append("  auto_eject_hosts: ").append(autoEject).append('\n')
                .append("  server_retry_timeout: ").append(retryMillis).append('\n')
                .append("  server_failure_limit: 1\n")
                .append("  servers:\n");
        for (int i = 0; i < servers.size(); i++) {
            yaml.append("    - ").append(servers.get(i).address()).append(":1 s").append(i).append('\n');
        }
        Files.writeString(t.config(), yaml.toString());
        t.test();
        t.launch();
        return t;
    }

    private Path config() {
        return dir.resolve("nutcracker.yml");
    }

    /** nutcracker -t: a configuration it refuses fails here with its own words. */
    private void test() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("nutcracker", "-t", "-c", config().toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("no nutcracker (is the Debian package 'nutcracker' installed?)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("nutcracker refuses its configuration: " + out + "\n"
                    + Files.readString(config()));
        }
    }

    private void launch() throws Exception {
        process = new ProcessBuilder("nutcracker", "-c", config().toString(), "-s", String.valueOf(statsPort),
                "-a", "127.0.0.1", "-i", "100", "-o", dir.resolve("nutcracker.log").toString(),
                "-p", dir.resolve("nutcracker.pid").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Poll.until("nutcracker listening on port " + port, Duration.ofSeconds(10), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("nutcracker exited at start with " + process.exitValue() + ": "
                        + log());
            }
            return listens(port) && listens(statsPort);
        });
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public List<Memcached> servers() {
        return servers;
    }

    /** nutcracker's own log (its view of ejections and reconnections), for failure messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("nutcracker.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** nutcracker's statistics: one JSON document, read from its stats port. */
    public String stats() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", statsPort), 2000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** How many times the proxy took a server out of its ring, from its statistics. */
    public long ejections() throws IOException {
        Matcher m = Pattern.compile("\"server_ejects\":(\\d+)").matcher(stats());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Requests the proxy sent to server {@code index}, from its statistics. */
    public long requests(int index) throws IOException {
        String s = stats();
        int at = s.indexOf("\"s" + index + "\":");
        if (at < 0) {
            return 0;
        }
        Matcher m = Pattern.compile("\"requests\":(\\d+)").matcher(s);
        return m.find(at) ? Long.parseLong(m.group(1)) : 0;
    }

    /** kill -9: the proxy dies, its clients' connections with it. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Starts nutcracker again on the same ports with the same configuration (after {@link #kill}). */
    public void restart() throws Exception {
        kill();
        launch();
    }

    @Override
    public void close() throws Exception {
        kill();
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Which server the proxy sends {@code key} to, found by asking every server directly for the key. */
    public List<Integer> holders(String key) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).get(key) != null) {
                out.add(i);
            }
        }
        return out;
    }

    /** The backend matrix's row: memcached behind this twemproxy. */
    public static String[] label() {
        return new String[] {"Memcached", "behind twemproxy "
                + CompatibilityRecorder.versionOf("nutcracker", "-V").replace("nutcracker-", "")
                + " (2 memcached)", Backend.memcachedVersion()};
    }
}
