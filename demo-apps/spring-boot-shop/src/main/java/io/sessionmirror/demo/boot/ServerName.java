package io.sessionmirror.demo.boot;

import java.net.InetAddress;

/** Name of this server: system property demo.server.name, else the host name. */
final class ServerName {

    private ServerName() {
    }

    static String get() {
        String name = System.getProperty("demo.server.name");
        if (name != null && !name.isEmpty()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
