package io.sessionmirror.it.checker;

import io.sessionmirror.it.Memcached;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A memcached process on a fixed port that can be killed and started again empty. Unlike the shared test harness
 * it raises the item size limit ({@code -I 64m}): the checker stores 8 MB attachments.
 */
final class MemcachedNode implements AutoCloseable {

    private final int port;
    private Process process;

    MemcachedNode() throws IOException {
        this.port = Memcached.freePort();
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    synchronized void start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("memcached", "-l", "127.0.0.1", "-p", String.valueOf(port), "-U", "0",
                "-m", "512", "-I", "64m"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "memcache"));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Memcached.awaitListening(process, port);
    }

    /** kill -9: the node and everything it held are gone. */
    synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
