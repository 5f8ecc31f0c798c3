package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.TlsSettings;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One SASL PLAIN authentication over memcached's binary protocol, on its own socket. spymemcached retries a
 * refused authentication forever without saying why; this tells an operator (the {@code check} command, and
 * the store once when a node does not answer) whether the user name and password are the problem.
 */
public final class SaslCheck {

    private SaslCheck() {
    }

    /**
     * Authenticates to a SASL-enabled node over the binary protocol (SASL auth, PLAIN), then asks its
     * version: "VERSION x" when the user name and password are accepted.
     */
    public static String authenticate(NodeAddress node, String user, String password, int timeoutMillis) {
        return authenticate(node, user, password, timeoutMillis, null);
    }

    /** The same over TLS when {@code tls} is not null. */
    public static String authenticate(NodeAddress node, String user, String password, int timeoutMillis,
                                      TlsSettings tls) {
        Socket s;
        try {
            s = connect(node, timeoutMillis, tls);
        } catch (javax.net.ssl.SSLException e) {
            return VersionCheck.TLS_FAILED + TlsSettings.explain(e);
        } catch (Exception e) {
            return VersionCheck.notReachable(e);
        }
        try (s) {
            DataOutputStream o = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] mech = "PLAIN".getBytes(StandardCharsets.US_ASCII);
            byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
            binaryRequest(o, 0x21, mech, token);
            Object[] auth = binaryResponse(in);
            int status = (Integer) auth[0];
            if (status == 0x20) {
                return "authentication failed (user name or password wrong)";
            }
            if (status != 0) {
                return "authentication failed (status 0x" + Integer.toHexString(status) + ": " + auth[1] + ")";
            }
            binaryRequest(o, 0x0b, new byte[0], new byte[0]);
            Object[] version = binaryResponse(in);
            return (Integer) version[0] == 0 ? "VERSION " + version[1] + " (authenticated as " + user + ")"
                    : "authenticated, but version failed (status " + version[0] + ")";
        } catch (javax.net.ssl.SSLException e) {
            return VersionCheck.TLS_FAILED + TlsSettings.explain(e);
        } catch (Exception e) {
            if (tls != null && (e instanceof java.io.EOFException || e instanceof java.net.SocketException)) {
                return VersionCheck.TLS_FAILED + TlsSettings.CLOSED_AFTER_HANDSHAKE; // see VersionCheck
            }
            return "not reachable (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        }
    }

    /** A socket to the node, connected (over TLS, handshake done, when {@code tls} is set), reads bounded. */
    public static Socket connect(NodeAddress node, int timeoutMillis, TlsSettings tls) throws IOException {
        if (tls != null) {
            return tls.connect(node.host(), node.port(), timeoutMillis);
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void binaryRequest(DataOutputStream o, int opcode, byte[] key, byte[] value)
            throws IOException {
        o.writeByte(0x80);
        o.writeByte(opcode);
        o.writeShort(key.length);
        o.writeByte(0); // extras length
        o.writeByte(0); // data type
        o.writeShort(0); // vbucket
        o.writeInt(key.length + value.length);
        o.writeInt(0); // opaque
        o.writeLong(0); // cas
        o.write(key);
        o.write(value);
        o.flush();
    }

    /** {status, body as text}. */
    private static Object[] binaryResponse(DataInputStream in) throws IOException {
        byte[] header = new byte[24];
        in.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header);
        int keyLength = h.getShort(2) & 0xFFFF;
        int extras = header[4] & 0xFF;
        int status = h.getShort(6) & 0xFFFF;
        int total = h.getInt(8);
        if (total < 0 || total > 1 << 20) {
            throw new IOException("not a memcached binary response");
        }
        byte[] body = new byte[total];
        in.readFully(body);
        int skip = Math.min(total, keyLength + extras);
        return new Object[] {status, new String(body, skip, total - skip, StandardCharsets.UTF_8)};
    }

}
