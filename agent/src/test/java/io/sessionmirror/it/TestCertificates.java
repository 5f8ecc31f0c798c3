package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates made for one test with {@code openssl} (EC P-256, valid two days), in a directory of their own:
 * a CA; a server certificate it signed for {@code localhost} and {@code 127.0.0.1}; one for another name only
 * ({@code other.example}, to see host name verification refuse it); a client certificate; and a second CA that
 * signed nothing here (a wrong {@code tls.ca}). Keys are PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), as the agent
 * reads them.
 */
public final class TestCertificates implements AutoCloseable {

    public final Path dir;
    public final Path ca;
    public final Path serverCert;
    public final Path serverKey;
    public final Path otherNameCert;
    public final Path otherNameKey;
    public final Path clientCert;
    public final Path clientKey;
    public final Path wrongCa;

    private TestCertificates(Path dir) {
        this.dir = dir;
        ca = dir.resolve("ca.pem");
        serverCert = dir.resolve("server.pem");
        serverKey = dir.resolve("server.key");
        otherNameCert = dir.resolve("other.pem");
        otherNameKey = dir.resolve("other.key");
        clientCert = dir.resolve("client.pem");
        clientKey = dir.resolve("client.key");
        wrongCa = dir.resolve("wrong-ca.pem");
    }

    public static TestCertificates create() throws Exception {
        TestCertificates c = new TestCertificates(Files.createTempDirectory("session-mirror-tls-"));
        c.authority("ca", "Session Mirror Test CA");
        c.authority("wrong-ca", "Some Other CA");
        c.signed("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        c.signed("other", "other.example", "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n");
        c.signed("client", "session-mirror-client", "extendedKeyUsage=clientAuth\n");
        return c;
    }

    private void authority(String name, String commonName) throws Exception {
        key(name);
        openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", "/CN=" + commonName, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", name + ".pem");
    }

    private void signed(String name, String commonName, String extensions) throws Exception {
        key(name);
        openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + commonName, "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    private void key(String name) throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
    }

    @Override
    public void close() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Runs openssl in the directory; its output only in the failure message. */
    public void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("no openssl (is the Debian package 'openssl' installed?)", e);
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed with " + p.exitValue() + ": " + out);
        }
    }
}
