package io.sessionmirror.it.checker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP/1.1 GET per connection ({@code Connection: close}). A pooled client would reuse connections across a
 * server's death and restart, and a stale pooled connection failing would look like a request broken by the
 * agent; a fresh connection per request tells "the server was not listening" (the balancer tries the other
 * server) apart from "the request broke on the server" exactly.
 */
final class RawHttp {

    /** The server refused the connection: it is down, the request never reached it. */
    static final class NotListening extends IOException {
        private static final long serialVersionUID = 1L;

        NotListening(String message) {
            super(message);
        }
    }

    /** One answer: status, the session id from {@code Set-Cookie} (or null) and the body's key=value lines. */
    static final class Answer {
        private final int status;
        private final String setCookieId;
        private final Map<String, String> facts;
        private final String body;

        Answer(int status, String setCookieId, Map<String, String> facts, String body) {
            this.status = status;
            this.setCookieId = setCookieId;
            this.facts = facts;
            this.body = body;
        }

        int status() {
            return status;
        }

        String setCookieId() {
            return setCookieId;
        }

        Map<String, String> facts() {
            return facts;
        }

        String body() {
            return body;
        }

    }

    private RawHttp() {
    }

    static Answer get(int port, String path, String cookieId, int readTimeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            } catch (ConnectException | SocketTimeoutException e) {
                throw new NotListening("port " + port + ": " + e.getMessage());
            }
            s.setSoTimeout(readTimeoutMillis);
            StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                    .append(port).append("\r\nConnection: close\r\n");
            if (cookieId != null) {
                req.append("Cookie: JSESSIONID=").append(cookieId).append("\r\n");
            }
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("no HTTP answer (got " + statusLine + ")");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        String setCookieId = null;
        boolean chunked = false;
        int length = -1;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase();
            String value = h.substring(colon + 1).trim();
            if (name.equals("set-cookie") && value.startsWith("JSESSIONID=")) {
                int end = value.indexOf(';');
                setCookieId = value.substring("JSESSIONID=".length(), end < 0 ? value.length() : end);
            } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equals("content-length")) {
                length = Integer.parseInt(value);
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (String size = line(in); size != null; size = line(in)) {
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                b.write(exactly(in, n));
                line(in); // the CRLF after each chunk
            }
            body = b.toByteArray();
        } else if (length >= 0) {
            body = exactly(in, length);
        } else {
            body = in.readAllBytes();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        Map<String, String> facts = new LinkedHashMap<>();
        for (String l : text.split("\n")) {
            int eq = l.indexOf('=');
            if (eq > 0 && eq < 40) {
                facts.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
            }
        }
        return new Answer(status, setCookieId, facts, text.length() > 300 ? text.substring(0, 300) : text);
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("connection closed after " + b.length + " of " + n + " bytes of the body");
        }
        return b;
    }

    /** A header line without its CRLF, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
