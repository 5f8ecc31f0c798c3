package io.sessionmirror.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code redis-server} (Debian's package) for the Redis benchmark: on 127.0.0.1 and a free port, without
 * persistence (no RDB snapshots, no AOF: the benchmark measures the session managers, not Redis' disk), and the
 * few commands the benchmark asks of it (INFO, DBSIZE, FLUSHALL) over a plain socket.
 */
final class RedisServer implements AutoCloseable {

    final int port;
    private final Process process;

    private RedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts redis-server and returns once it answers PING. */
    static RedisServer start() throws Exception {
        int port = ServerBenchmark.freePort();
        List<String> cmd = List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
                "--loglevel", "warning");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server is not installed (Debian package 'redis-server');"
                    + " benchmarks/run.sh installs it", e);
        }
        RedisServer redis = new RedisServer(port, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited at start, code " + p.exitValue());
            }
            try {
                if ("PONG".equals(redis.command("PING"))) {
                    return redis;
                }
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer PING within 10 s");
    }

    long pid() {
        return process.pid();
    }

    /**
     * Calls per command since start, from {@code INFO commandstats} (e.g. {@code hset -> 1234}; subcommands as Redis
     * names them, e.g. {@code client|setname}). The INFO calls the benchmark itself makes are left out.
     */
    Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : command("INFO", "commandstats").split("\r\n")) {
            // cmdstat_hset:calls=1234,usec=...,usec_per_call=...,rejected_calls=0,failed_calls=0
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                int end = line.indexOf(',', at);
                if (!name.equals("info")) {
                    calls.put(name, Long.parseLong(line.substring(at, end < 0 ? line.length() : end)));
                }
            }
        }
        return calls;
    }

    /** Bytes Redis received from clients since start ({@code total_net_input_bytes}). */
    long bytesIn() throws IOException {
        for (String line : command("INFO", "stats").split("\r\n")) {
            if (line.startsWith("total_net_input_bytes:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IllegalStateException("no total_net_input_bytes in INFO stats");
    }

    long dbSize() throws IOException {
        return Long.parseLong(command("DBSIZE"));
    }

    /** Every key (KEYS *: for the benchmark's small database, after the measurement, never during it). */
    List<String> keys() throws IOException {
        return List.of(command("KEYS", "*").split("\n", -1)).stream().filter(k -> !k.isEmpty())
                .collect(java.util.stream.Collectors.toList());
    }

    void flushAll() throws IOException {
        command("FLUSHALL");
    }

    /**
     * Sends one command (a RESP array of bulk strings) and returns its reply as text: integers as digits, an array of
     * bulk strings one element a line.
     */
    String command(String... args) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String head = line(in);
            switch (head.charAt(0)) {
                case '+':
                case ':':
                    return head.substring(1);
                case '$': {
                    int n = Integer.parseInt(head.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    byte[] body = in.readNBytes(n + 2);
                    return new String(body, 0, n, StandardCharsets.UTF_8);
                }
                case '*': { // an array of bulk strings (KEYS): one a line
                    int n = Integer.parseInt(head.substring(1));
                    StringBuilder lines = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        int len = Integer.parseInt(line(in).substring(1));
                        byte[] body = in.readNBytes(len + 2);
                        lines.append(new String(body, 0, len, StandardCharsets.UTF_8)).append('\n');
                    }
                    return lines.toString();
                }
                default:
                    throw new IOException("redis answered " + String.join(" ", args) + " with " + head);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("redis closed the connection");
            }
            bytes.add((byte) b);
        }
        byte[] a = new byte[bytes.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = bytes.get(i);
        }
        return new String(a, 0, Math.max(0, a.length - 1), StandardCharsets.UTF_8); // without the \r
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
