package io.sessionmirror.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process on a free loopback port (no persistence, its files in a temp dir), and a
 * minimal RESP client to inspect it ({@link RespClient}). Variants: standalone (optionally with
 * {@code requirepass} or an ACL user), a replica of another instance, a Sentinel ({@link RedisSentinel}) and a
 * cluster node ({@link RedisCluster}). A stopped or killed instance restarts on the same port, empty.
 */
public final class Redis implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> args;
    /** Credentials the inspection helpers log in with (null: none). */
    private final String user;
    private final String password;
    /** A Sentinel's configuration file (it rewrites it), or null for a data instance. */
    private Path sentinelConf;
    private Process process;

    private Redis(int port, List<String> args, String user, String password) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("redis-" + port + "-");
        this.args = args;
        this.user = user;
        this.password = password;
    }

    /** A standalone instance anybody may use. */
    public static Redis start() throws Exception {
        return launch(List.of(), null, null);
    }

    /** A standalone instance that needs {@code AUTH password} (the default user's password). */
    public static Redis startWithPassword(String password) throws Exception {
        return launch(List.of("--requirepass", password), null, password);
    }

    /**
     * A standalone instance whose only user is the ACL user {@code user} with {@code password} (all keys, all
     * commands); the default user is off, so a client that does not log in as {@code user} can do nothing.
     */
    public static Redis startWithAclUser(String user, String password) throws Exception {
        // one argument per word: redis-server quotes an argument with spaces as one word
        return launch(List.of("--user", "default", "off", "--user", user, "on", ">" + password, "~*", "&*", "+@all"),
                user, password);
    }

    /** A replica of {@code master} (no persistence either; it copies the master over its replication link). */
    public static Redis startReplicaOf(Redis master) throws Exception {
        return launch(List.of("--replicaof", "127.0.0.1", String.valueOf(master.port)), null, null);
    }

    /** An instance with extra {@code redis-server} arguments ({@code --name value} pairs), e.g. cluster mode. */
    static Redis launch(List<String> extraArgs, String user, String password) throws Exception {
        Redis r = new Redis(Memcached.freePort(), extraArgs, user, password);
        r.launch();
        return r;
    }

    /** A Sentinel ({@code redis-server <conf> --sentinel}) whose configuration file holds {@code directives}. */
    static Redis launchSentinel(List<String> directives) throws Exception {
        Redis r = new Redis(Memcached.freePort(), List.of(), null, null);
        r.sentinelConf = r.dir.resolve("sentinel.conf");
        Files.write(r.sentinelConf, directives);
        r.launch();
        return r;
    }

    private void launch() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-server"));
        if (sentinelConf != null) {
            cmd.addAll(List.of(sentinelConf.toString(), "--sentinel"));
        }
        cmd.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no",
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        awaitAnswering(process, sentinelConf != null ? "redis sentinel" : "redis-server", port, this);
    }

    /** Waits until a process just started answers PING on {@code port}; fails at once if it exited. */
    static void awaitAnswering(Process process, String what, int port, Redis credentials) throws Exception {
        Poll.until(what + " answering on port " + port, Duration.ofSeconds(15), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited at start with " + process.exitValue()
                        + " (is the Debian package 'redis-server' installed?)");
            }
            try {
                Object pong = credentials.command("PING");
                return "PONG".equals(pong);
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The {@code nodes} value for this standalone instance: {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    /** The process's own log (redis-server's logfile), for a failing test's message. */
    public String log() {
        try {
            Path f = dir.resolve("redis.log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    // ---------------------------------------------------------------- inspection

    /** One command on database 0; a bulk answer is {@code byte[]}, an array a {@code List}, an error a {@link RespClient.Error}. */
    public Object command(String... command) throws IOException {
        return commandIn(0, command);
    }

    /** One command on database {@code db}. */
    public Object commandIn(int db, String... command) throws IOException {
        try (RespClient c = new RespClient("127.0.0.1", port)) {
            if (password != null) {
                Object ok = user == null ? c.call("AUTH", password) : c.call("AUTH", user, password);
                RespClient.check(ok);
            }
            if (db != 0) {
                RespClient.check(c.call("SELECT", String.valueOf(db)));
            }
            return c.call(command);
        }
    }

    /** The stored bytes of {@code key} in database 0, or null. */
    public byte[] get(String key) throws IOException {
        return getIn(0, key);
    }

    public byte[] getIn(int db, String key) throws IOException {
        return (byte[]) RespClient.check(commandIn(db, "GET", key));
    }

    /** Remaining lifetime in milliseconds: -1 without expiry, -2 when the key is absent. */
    public long pttl(String key) throws IOException {
        return (Long) RespClient.check(command("PTTL", key));
    }

    public long pttlIn(int db, String key) throws IOException {
        return (Long) RespClient.check(commandIn(db, "PTTL", key));
    }

    public void set(String key, byte[] value) throws IOException {
        try (RespClient c = new RespClient("127.0.0.1", port)) {
            if (password != null) {
                RespClient.check(user == null ? c.call("AUTH", password) : c.call("AUTH", user, password));
            }
            RespClient.check(c.call("SET".getBytes(StandardCharsets.US_ASCII), key.getBytes(StandardCharsets.UTF_8), value));
        }
    }

    /** Every key of database {@code db} (KEYS *: test data only). */
    public List<String> keys(int db) throws IOException {
        List<String> out = new ArrayList<>();
        for (Object k : (List<?>) RespClient.check(commandIn(db, "KEYS", "*"))) {
            out.add(new String((byte[]) k, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** One field of {@code INFO section}, e.g. {@code run_id}, {@code role}, {@code connected_clients}. */
    public String info(String section, String field) throws IOException {
        String info = new String((byte[]) RespClient.check(command("INFO", section)), StandardCharsets.UTF_8);
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    /** The process's run id (INFO server run_id): another after every restart. */
    public String runId() throws IOException {
        return info("server", "run_id");
    }

    /** Waits until {@code key} (database 0) satisfies {@code condition} (null = absent); returns the last value. */
    public byte[] await(String key, Predicate<byte[]> condition, Duration timeout) throws Exception {
        byte[][] last = new byte[1][];
        Poll.until("redis key " + key + " in the expected state", timeout, () -> {
            last[0] = get(key);
            return condition.test(last[0]);
        });
        return last[0];
    }

    // ---------------------------------------------------------------- process control

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** kill -9: the instance dies with its data. */
    public void kill() throws InterruptedException {
        if (isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM: a clean shutdown (nothing is saved: no persistence). */
    public void stop() throws InterruptedException {
        if (isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** Starts the instance again on the same port, empty (after {@link #stop} or {@link #kill}). */
    public void restart() throws Exception {
        kill();
        launch();
    }

    /** SIGSTOP: the instance hangs, connections stay open and nothing is answered. */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects to a port with a short timeout: for the variants' own checks. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
