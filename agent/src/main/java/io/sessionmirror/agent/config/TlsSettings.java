package io.sessionmirror.agent.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS as the {@code tls.*} options set it, for every client of a store (Memcached nodes, a configuration endpoint,
 * Redis): one {@link SSLContext} trusting {@code tls.ca} (the JDK's default trust store without it) and presenting
 * {@code tls.cert}/{@code tls.key} when given, and whether server host names are verified. Built once, when the
 * configuration is loaded, so a bad file is a configuration error and not a failed connection later.
 */
public final class TlsSettings {

    /** What a server that closes a connection right after the handshake wants, in memcached's case. */
    public static final String CLOSED_AFTER_HANDSHAKE = "the server wants a client certificate it trusts (it closed the"
            + " connection right after the TLS handshake); set tls.cert and tls.key to one its CA signed";

    private final SSLContext context;
    private final TrustManagerFactory trust;
    /** Null without a client certificate. */
    private final KeyManagerFactory keys;
    private final boolean verifyHostname;
    private final boolean defaultTrust;
    private final boolean clientCertificate;

    private TlsSettings(SSLContext context, TrustManagerFactory trust, KeyManagerFactory keys, boolean verifyHostname,
                        boolean defaultTrust, boolean clientCertificate) {
        this.context = context;
        this.trust = trust;
        this.keys = keys;
        this.verifyHostname = verifyHostname;
        this.defaultTrust = defaultTrust;
        this.clientCertificate = clientCertificate;
    }

    /**
     * @param trust the CA certificates to trust, or null for the JDK's default trust store
     * @param chain the client certificate chain, or null for none (then {@code key} is null too)
     */
    static TlsSettings build(KeyStore trust, List<X509Certificate> chain, PrivateKey key, boolean verifyHostname)
            throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust); // null: the JDK's cacerts (or javax.net.ssl.trustStore)
        KeyManager[] keyManagers = null;
        KeyManagerFactory kmf = null;
        if (chain != null) {
            // An in-memory key store, only to hand the key and its chain to the key manager; its password guards
            // nothing.
            char[] password = "session-mirror".toCharArray();
            KeyStore ks = TlsFiles.emptyStore();
            ks.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            keyManagers = kmf.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, tmf.getTrustManagers(), null);
        warmUp(context);
        return new TlsSettings(context, tmf, kmf, verifyHostname, trust == null, chain != null);
    }

    /**
     * Writes one ClientHello to nowhere: the JDK's first handshake loads and initialises most of its TLS classes
     * and key-share generators, several hundred milliseconds that would otherwise fall on the first connection,
     * within the first request's timeout. Here they fall on the start-up.
     */
    private static void warmUp(SSLContext context) {
        try {
            SSLEngine engine = context.createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            engine.closeOutbound();
        } catch (Exception e) {
            // only a warm-up: the real handshakes report their own failures
        }
    }

    /** The context for NIO engines ({@code SSLContext.createSSLEngine(host, port)}) and client libraries. */
    public SSLContext sslContext() {
        return context;
    }

    /** What to trust, for clients that build their own TLS context (Redis's netty-based client). */
    public TrustManagerFactory trustManagers() {
        return trust;
    }

    /** The client certificate and its key, or null without {@code tls.cert}; for clients that build their own context. */
    public KeyManagerFactory keyManagers() {
        return keys;
    }

    public SSLSocketFactory socketFactory() {
        return context.getSocketFactory();
    }

    /**
     * Sockets for clients that connect by themselves ({@code createSocket()} then {@code connect}): TLS, and the
     * server's certificate checked against the host connected to unless {@code tls.verify.hostname=false}. The
     * plain {@link #socketFactory()} checks no host name.
     */
    public javax.net.SocketFactory verifyingSocketFactory() {
        SSLSocketFactory tls = socketFactory();
        return new javax.net.SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                SSLSocket s = (SSLSocket) tls.createSocket();
                if (verifyHostname) {
                    SSLParameters p = s.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    s.setSSLParameters(p);
                }
                return s;
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(local, localPort));
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort)
                    throws IOException {
                Socket s = createSocket();
                s.bind(new InetSocketAddress(local, localPort));
                s.connect(new InetSocketAddress(host, port));
                return s;
            }
        };
    }

    /** Whether a server's certificate must name the host it is reached as ({@code tls.verify.hostname}). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Whether the JDK's default trust store is used ({@code tls.ca} not set). */
    public boolean defaultTrust() {
        return defaultTrust;
    }

    public boolean clientCertificate() {
        return clientCertificate;
    }

    /**
     * A TLS connection to {@code host:port}, handshake done, the host name verified unless turned off; connecting,
     * the handshake and reads each wait at most {@code timeoutMillis}. For blocking clients (checks, a
     * configuration endpoint).
     */
    public SSLSocket connect(String host, int port, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            SSLSocket s = (SSLSocket) socketFactory().createSocket(plain, host, port, true);
            if (verifyHostname) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
            }
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * What a failed handshake means for an operator, on one line: the JDK's messages name the check that failed
     * but not the option that decides it.
     */
    public static String explain(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String m = all.toString();
        String hint;
        if (m.contains("PKIX") || m.contains("certification path") || m.contains("signature check failed")) {
            hint = "the server's certificate is not signed by a CA in tls.ca (or, without tls.ca, in the JDK's trust"
                    + " store)";
        } else if (m.contains("No subject alternative") || m.contains("No name matching")) {
            hint = "the server's certificate is not for the host name or address in 'nodes'; name the node as its"
                    + " certificate does, or set tls.verify.hostname=false";
        } else if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("unknown_ca")) {
            hint = "the server wants a client certificate it trusts; set tls.cert and tls.key to one its CA signed";
        } else if (m.contains("Unsupported or unrecognized SSL message") || m.contains("Remote host terminated")
                || m.contains("Read timed out")) {
            hint = "the node does not answer TLS; is it started with TLS (memcached -Z)?";
        } else {
            hint = null;
        }
        String reason = TlsFiles.reason(e);
        return hint == null ? reason : hint + " (" + reason + ")";
    }

    @Override
    public String toString() {
        return "TLS (" + (defaultTrust ? "the JDK's trust store" : "tls.ca") + (clientCertificate ? ", client certificate"
                : "") + (verifyHostname ? "" : ", host names not verified") + ")";
    }
}
