package io.sessionmirror.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A real memcached process on a free loopback port, and a minimal text-protocol client to inspect it. */
public final class Memcached implements AutoCloseable {

    private final int port;
    /** The address it listens on (memcached -l): 127.0.0.1, or another loopback address of {@link #startOn(String, int)}. */
    private String host = "127.0.0.1";
    /** SASL configuration and password database of a {@link #startWithSasl} instance, else null. */
    private final Path saslDir;
    private Process process;

    private Memcached(int port, Path saslDir) {
        this.port = port;
        this.saslDir = saslDir;
    }

    public static Memcached start() throws Exception {
        return startOn(freePort());
    }

    public static Memcached startOn(int port) throws Exception {
        Memcached m = new Memcached(port, null);
        m.launch();
        return m;
    }

    /**
     * A memcached listening on one loopback address only ({@code -l}), e.g. 127.0.0.2: several can share a port on
     * different addresses, as pods behind one DNS name do.
     */
    public static Memcached startOn(String host, int port) throws Exception {
        Memcached m = new Memcached(port, null);
        m.host = host;
        m.launch();
        return m;
    }

    /** A memcached that takes items up to {@code itemMb} MB (memcached -I), with memory to hold a few dozen. */
    public static Memcached startForLargeItems(int itemMb) throws Exception {
        Memcached m = new Memcached(freePort(), null);
        m.extraArgs = List.of("-I", itemMb + "m", "-m", String.valueOf(Math.max(64, itemMb * 32)));
        m.launch();
        return m;
    }

    private List<String> extraArgs = List.of();

    /**
     * A memcached that serves only clients authenticated as this user (SASL, CRAM-MD5 or PLAIN, binary protocol).
     * It speaks no text protocol, so the inspection helpers below ({@link #get}, {@link #set}, {@link #await},
     * {@link #stat}, {@link #keys}) time out on it: inspect it with an authenticated binary client instead.
     */
    public static Memcached startWithSasl(String user, String password) throws Exception {
        Path dir = Files.createTempDirectory("memcached-sasl-");
        try {
            Path db = dir.resolve("sasldb2");
            // memcached asks libsasl for users of its gethostname() realm; saslpasswd2 would default to the fully
            // qualified name, which differs on hosts with a domain
            String realm = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            // in /usr/sbin, which is often not on a non-root PATH
            String saslpasswd2 = Files.isExecutable(Path.of("/usr/sbin/saslpasswd2")) ? "/usr/sbin/saslpasswd2"
                    : "saslpasswd2";
            Process p;
            try {
                p = new ProcessBuilder(saslpasswd2, "-p", "-c", "-a", "memcached", "-u", realm, "-f", db.toString(),
                        user).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("no saslpasswd2 (is the Debian package 'sasl2-bin' installed?)", e);
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(password.getBytes(StandardCharsets.UTF_8)); // -p: the password is read from stdin, no prompt
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("saslpasswd2 failed with " + p.exitValue() + ": " + output);
            }
            // cram-md5 too: spymemcached's AuthDescriptor.typical asks for CRAM-MD5 first, and fails if it is missing
            Files.writeString(dir.resolve("memcached.conf"), "mech_list: cram-md5 plain\nsasldb_path: " + db + "\n");
            if (runsAsRoot()) {
                // memcached reads both after dropping to the memcache user, the database at every authentication
                UserPrincipal memcache = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("memcache");
                for (Path f : List.of(dir, db, dir.resolve("memcached.conf"))) {
                    Files.setOwner(f, memcache);
                }
            }
            Memcached m = new Memcached(freePort(), dir);
            m.launch();
            return m;
        } catch (Exception e) {
            Servers.deleteTree(dir);
            throw e;
        }
    }

    /** A TLS instance's plain-text listener, for the inspection helpers below; 0 for a plain instance. */
    private int plainPort;
    /** A TLS instance's memcached -o settings (certificates), else null. */
    private String tlsSettings;

    /**
     * A memcached that speaks TLS on {@link #port()} (memcached -Z) with this certificate and key, requiring a
     * client certificate signed by the CA of {@code certs} when {@code clientCertificates}. It listens in plain text
     * too, on a second port of its own, so that the inspection helpers below ({@link #get}, {@link #stat}, ...)
     * still work; the agent under test is given only {@link #address()}.
     */
    public static Memcached startWithTls(TestCertificates certs, Path cert, Path key, boolean clientCertificates)
            throws Exception {
        Memcached m = new Memcached(freePort(), null);
        m.tls(certs, cert, key, clientCertificates);
        m.launch();
        return m;
    }

    private void tls(TestCertificates certs, Path cert, Path key, boolean clientCertificates) throws IOException {
        plainPort = freePort();
        tlsSettings = "ssl_chain_cert=" + cert + ",ssl_key=" + key
                + (clientCertificates ? ",ssl_ca_cert=" + certs.ca + ",ssl_verify_mode=2" : "");
        if (runsAsRoot()) {
            // memcached reads them after dropping to the memcache user
            UserPrincipal memcache = certs.dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("memcache");
            try (Stream<Path> files = Files.walk(certs.dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.setOwner(f, memcache);
                }
            }
        }
    }

    private void launch() throws Exception {
        String listen = tlsSettings == null ? host : host + ":" + port + ",notls:" + host + ":" + plainPort;
        List<String> cmd = new ArrayList<>(List.of("memcached", "-l", listen, "-p", String.valueOf(port), "-U", "0",
                "-m", "64"));
        if (tlsSettings != null) {
            cmd.addAll(List.of("-Z", "-o", tlsSettings));
        }
        cmd.addAll(extraArgs); // a later -m wins
        if (runsAsRoot()) {
            cmd.addAll(List.of("-u", "memcache")); // memcached refuses to run as root without it
        }
        if (saslDir != null) {
            cmd.add("-S");
        }
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (saslDir != null) {
            builder.environment().put("SASL_CONF_PATH", saslDir.toString()); // where libsasl finds memcached.conf
        }
        process = builder.start();
        awaitListening(process, host, port);
        if (plainPort != 0) {
            awaitListening(process, host, plainPort);
        }
    }

    /** Waits until a memcached just started listens on {@code port}; fails at once if it exited. */
    public static void awaitListening(Process process, int port) throws Exception {
        awaitListening(process, "127.0.0.1", port);
    }

    /** As above, on another address. */
    public static void awaitListening(Process process, String host, int port) throws Exception {
        Poll.until("memcached listening on port " + port, Duration.ofSeconds(10), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("memcached exited at start with " + process.exitValue()
                        + " (is the Debian package 'memcached' installed?)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static boolean runsAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A port nobody listens on, from this test JVM's own range. The integration tests run in two JVMs at once
     * (failsafe forkCount); ports the kernel picks ({@code new ServerSocket(0)}) could be handed to both before
     * either binds, so each JVM takes ports below the ephemeral range (32768+) from a range of its own.
     */
    public static int freePort() throws IOException {
        for (int i = 0; i < PortRange.SIZE; i++) {
            int port = PortRange.first() + Math.floorMod(NEXT_PORT.getAndIncrement(), PortRange.SIZE);
            if (PortRange.free(port)) {
                return port;
            }
        }
        throw new IOException("no free port in " + PortRange.first() + ".." + (PortRange.first() + PortRange.SIZE - 1));
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger((int) (Math.random() * PortRange.SIZE));

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    /** The stored value, or null. */
    public byte[] get(String key) throws IOException {
        try (Socket s = connect()) {
            send(s, "get " + key + "\r\n");
            InputStream in = s.getInputStream();
            String header = line(in);
            if (header.equals("END")) {
                return null;
            }
            if (!header.startsWith("VALUE ")) {
                throw new IOException("unexpected answer: " + header);
            }
            int length = Integer.parseInt(header.substring(header.lastIndexOf(' ') + 1));
            byte[] value = in.readNBytes(length);
            return value;
        }
    }

    public void set(String key, byte[] value, int expiry) throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("set " + key + " 0 " + expiry + " " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(value);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = line(s.getInputStream());
            if (!answer.equals("STORED")) {
                throw new IOException("set failed: " + answer);
            }
        }
    }

    /** Waits until the key's value satisfies the predicate (null = absent); returns the last value seen. */
    public byte[] await(String key, Predicate<byte[]> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] v = get(key);
        while (!condition.test(v)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("memcached key " + key + " did not reach the expected state within " + timeout
                        + "; last value: " + (v == null ? "absent" : v.length + " bytes"));
            }
            Thread.sleep(50);
            v = get(key);
        }
        return v;
    }

    /** Whether the raw bytes contain the ASCII text (both serializers store short ASCII strings as bytes). */
    public static Predicate<byte[]> containsAll(String... texts) {
        return v -> {
            if (v == null) {
                return false;
            }
            String s = new String(v, StandardCharsets.ISO_8859_1);
            for (String t : texts) {
                if (!s.contains(t)) {
                    return false;
                }
            }
            return true;
        };
    }

    /** One counter from memcached's {@code stats}, e.g. {@code cmd_set}, {@code cmd_touch}, {@code get_hits}. */
    public long stat(String name) throws IOException {
        try (Socket s = connect()) {
            send(s, "stats\r\n");
            InputStream in = s.getInputStream();
            long value = -1;
            for (String l = line(in); !l.equals("END"); l = line(in)) {
                String[] parts = l.split(" ");
                if (parts.length == 3 && parts[1].equals(name)) {
                    value = Long.parseLong(parts[2]);
                }
            }
            if (value < 0) {
                throw new IOException("memcached has no stat " + name);
            }
            return value;
        }
    }

    /**
     * Every key stored, from memcached's own key dump. One dump is best effort: the LRU crawler passes over an
     * item that a client holds at that moment (a get or a set in flight), so the dump is repeated until it
     * accounts for every item memcached counts ({@code curr_items}); after a few seconds the last dump is
     * returned as it is, for the caller's assertion to show.
     */
    public List<String> keys() throws IOException {
        List<List<String>> last = new ArrayList<>(List.of(List.of()));
        try {
            Poll.until("a key dump that accounts for every item", Duration.ofSeconds(5), () -> {
                List<String> dump = dumpKeys();
                if (dump == null) {
                    return false;
                }
                last.set(0, dump);
                return dump.size() == stat("curr_items");
            });
        } catch (AssertionError incomplete) {
            // the last dump as it is: the caller's assertion names what it lacks
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return last.get(0);
    }

    /** One pass of the LRU crawler over every key, or null when the crawler is busy. */
    private List<String> dumpKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        try (Socket s = connect()) {
            send(s, "lru_crawler metadump all\r\n");
            InputStream in = s.getInputStream();
            for (String l = line(in); !l.equals("END"); l = line(in)) {
                if (l.startsWith("BUSY")) {
                    return null; // the crawler still finishes an earlier dump; the caller asks again
                }
                if (l.startsWith("key=")) {
                    keys.add(java.net.URLDecoder.decode(l.substring(4, l.indexOf(' ')), StandardCharsets.UTF_8));
                }
            }
        }
        return keys;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, plainPort != 0 ? plainPort : port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String command) throws IOException {
        s.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            throw new IOException("connection closed");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** kill -9: the node dies with its data. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Starts a new, empty memcached on the same port (after {@link #kill}). */
    public void restartEmpty() throws Exception {
        kill();
        launch();
    }

    /** SIGSTOP: the node hangs, connections stay open and nothing is answered. */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}: it answers again, with its data. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        if (saslDir != null && Files.exists(saslDir)) {
            try {
                Servers.deleteTree(saslDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // close() keeps its signature for the try-with-resources callers
            }
        }
    }
}
