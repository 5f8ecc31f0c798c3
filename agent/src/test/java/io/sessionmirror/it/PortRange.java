package io.sessionmirror.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The ports one test JVM may listen on. Failsafe runs the integration tests in several JVMs at once and
 * numbers them ({@code it.sessionmirror.fork}, from surefire's forkNumber); JVM k owns
 * {@code 10000 + (k-1)*2000} and the next 2000 ports: 1,500 for single ports ({@link Memcached#freePort}), the
 * rest for blocks of consecutive ports ({@link #blockBase}). Every range lies below Linux's ephemeral ports
 * (32768+), so no outgoing connection takes one either.
 */
final class PortRange {

    static final int SIZE = 1500;
    private static final int BLOCKS = 500;

    private PortRange() {
    }

    static int fork() {
        try {
            return Math.max(1, Math.min(8, Integer.parseInt(System.getProperty("it.sessionmirror.fork", "1").trim())));
        } catch (NumberFormatException e) {
            return 1; // run outside failsafe (an IDE): the property is absent or unresolved
        }
    }

    static int first() {
        return 10000 + (fork() - 1) * 2000;
    }

    /** A base for {@code width} consecutive ports, chosen at random in this JVM's block range. */
    static int blockBase(int width) {
        return first() + SIZE + (int) (Math.random() * (BLOCKS - width));
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
