package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * Asks a node for its version over the text protocol, on a connection of its own (over TLS when set): for the
 * {@code check} command, and for the store when a TLS node does not answer. The Memcached client only reconnects,
 * again and again, when a handshake fails; this says why (the CA, the host name, the client certificate).
 */
public final class VersionCheck {

    /** What {@link #ask} answers, before the reason, when TLS is what fails. */
    public static final String TLS_FAILED = "not reachable over TLS: ";

    private VersionCheck() {
    }

    /** "VERSION x", or what is wrong: "not reachable (...)", {@link #TLS_FAILED} and the reason, "no answer". */
    public static String ask(NodeAddress node, int timeoutMillis, TlsSettings tls) {
        Socket s;
        try {
            s = SaslCheck.connect(node, timeoutMillis, tls);
        } catch (SSLException e) {
            return TLS_FAILED + TlsSettings.explain(e);
        } catch (IOException | RuntimeException e) {
            return notReachable(e);
        }
        try (s) {
            OutputStream o = s.getOutputStream();
            o.write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (line.length() == 0 && tls != null) {
                return TLS_FAILED + TlsSettings.CLOSED_AFTER_HANDSHAKE;
            }
            return line.length() == 0 ? "no answer" : line.toString();
        } catch (SSLException e) {
            return TLS_FAILED + TlsSettings.explain(e);
        } catch (IOException | RuntimeException e) {
            // With TLS 1.3 a server refuses the client's certificate only after the handshake, by closing
            // the connection (or an alert, an SSLException above).
            return tls != null && !(e instanceof java.net.SocketTimeoutException) ? TLS_FAILED
                    + TlsSettings.CLOSED_AFTER_HANDSHAKE : notReachable(e);
        }
    }

    static String notReachable(Exception e) {
        return "not reachable (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + ")";
    }
}
