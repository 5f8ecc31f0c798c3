package io.sessionmirror.agent.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} in the Prometheus text format, served by the JDK's own HTTP server on
 * {@code metrics.port} (off by default) on one daemon thread: no dependency, nothing shared with the
 * application's connectors.
 */
public final class PrometheusEndpoint {

    private final HttpServer server;

    private PrometheusEndpoint(HttpServer server) {
        this.server = server;
    }

    public static PrometheusEndpoint start(String host, int port, MetricsRegistry metrics) throws IOException {
        HttpServer server = HttpServer.create(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", exchange -> {
            try {
                byte[] body = "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod())
                        ? metrics.prometheus().getBytes(StandardCharsets.UTF_8) : new byte[0];
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                boolean head = "HEAD".equals(exchange.getRequestMethod());
                exchange.sendResponseHeaders(body.length == 0 && !head ? 405 : 200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-mirror-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new PrometheusEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }
}
