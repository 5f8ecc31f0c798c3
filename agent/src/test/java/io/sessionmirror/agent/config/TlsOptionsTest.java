package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.it.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tls.* options: what they accept (PEM CA files, JKS and PKCS#12 trust stores, a PEM client certificate with its
 * PKCS#8 key, the JDK's trust store by default) and the one-line error for each way of getting them wrong.
 */
class TlsOptionsTest {

    private static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create();
    }

    @AfterAll
    static void removeCertificates() throws Exception {
        certs.close();
    }

    private static MirrorConfig load(String options) {
        return MirrorConfig.load("nodes=localhost:11211,tls=true" + options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(options));
        String m = e.getMessage();
        assertTrue(m.startsWith("session-mirror: ") && !m.contains("\n"), m);
        return m;
    }

    @Test
    void offByDefaultAndTheJdkTrustStoreWithoutACa() {
        assertNull(MirrorConfig.load("nodes=a:1", new Properties(), Collections.emptyMap()).tls());
        TlsSettings t = load("").tls();
        assertNotNull(t.sslContext());
        assertTrue(t.defaultTrust() && t.verifyHostname() && !t.clientCertificate());
        assertTrue(load("").describe().contains("TLS (the JDK's trust store)"), load("").describe());
    }

    @Test
    void aPemCaAClientCertificateAndHostNamesOff() {
        TlsSettings t = load(",tls.ca=" + certs.ca + ",tls.cert=" + certs.clientCert + ",tls.key=" + certs.clientKey
                + ",tls.verify.hostname=false").tls();
        assertFalse(t.defaultTrust() || t.verifyHostname());
        assertTrue(t.clientCertificate());
        assertEquals(certs.ca.toString(), load(",tls.ca=" + certs.ca).shown(Option.TLS_CA));
    }

    @Test
    void jksAndPkcs12TrustStores() throws Exception {
        assertFalse(load(",tls.ca=" + keytool("trust.jks", "JKS")).tls().defaultTrust());
        // keytool encrypts a PKCS#12 store's certificates with its password unless told not to
        assertFalse(load(",tls.ca=" + keytool("open.p12", "PKCS12", "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
                "-J-Dkeystore.pkcs12.macAlgorithm=NONE")).tls().defaultTrust());
        String locked = error(",tls.ca=" + keytool("locked.p12", "PKCS12"));
        assertTrue(locked.contains("the trust store holds no certificate readable without a password; export the CA"
                + " certificates as PEM"), locked);
    }

    private static Path keytool(String name, String type, String... options) throws Exception {
        Path store = certs.dir.resolve(name);
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("keytool"));
        cmd.addAll(java.util.List.of(options));
        cmd.addAll(java.util.List.of("-importcert", "-noprompt", "-alias", "ca", "-file", certs.ca.toString(),
                "-keystore", store.toString(), "-storetype", type, "-storepass", "changeit"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return store;
    }

    @Test
    void unreadableFilesAreNamed() throws Exception {
        assertTrue(error(",tls.ca=/nonexistent/ca.pem").contains("(no such file); expected the path of a PEM file of"
                + " CA certificates, or of a .jks/.p12 trust store"), error(",tls.ca=/nonexistent/ca.pem"));
        assertTrue(error(",tls.ca=" + certs.dir).contains("not a file"));
        assertTrue(error(",tls.ca=" + certs.clientKey).contains("it holds a private key, not a CA certificate"));
        Path garbage = Files.writeString(certs.dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertTrue(error(",tls.ca=" + garbage).contains("an unreadable PEM CA certificate"), error(",tls.ca=" + garbage));
        Path notAStore = Files.writeString(certs.dir.resolve("broken.p12"), "not a key store");
        assertTrue(error(",tls.ca=" + notAStore).contains("not a readable trust store"), error(",tls.ca=" + notAStore));
        assertTrue(error(",tls.cert=" + certs.clientKey + ",tls.key=" + certs.clientKey)
                .contains("option 'tls.cert'"));
        assertTrue(error(",tls.cert=" + certs.clientCert + ",tls.key=" + certs.clientCert)
                .contains("no '-----BEGIN PRIVATE KEY-----' block in it"));
    }

    @Test
    void keysInOtherFormatsSayHowToConvertThem() throws Exception {
        certs.openssl("genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048");
        String e = error(",tls.cert=" + certs.clientCert + ",tls.key=" + certs.dir.resolve("rsa-pkcs1.key"));
        assertTrue(e.contains("it holds a PKCS#1 RSA key, not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt"),
                e);
    }

    @Test
    void aCertificateAndItsKeyGoTogether() {
        assertTrue(error(",tls.cert=" + certs.clientCert).contains("a client certificate needs its private key in"
                + " 'tls.key'"));
        assertTrue(error(",tls.key=" + certs.clientKey).contains("a private key needs its certificate in 'tls.cert'"));
        String wrong = error(",tls.cert=" + certs.clientCert + ",tls.key=" + certs.serverKey);
        assertTrue(wrong.contains("option 'tls.key'") && wrong.contains("this key does not belong to the certificate"
                + " in tls.cert (CN=session-mirror-client)"), wrong);
    }

    @Test
    void tlsFilesWithoutTlsAndSaslOverTlsAreRefused() {
        String off = assertThrows(ConfigException.class, () -> MirrorConfig.load("nodes=a:1,tls.ca=" + certs.ca,
                new Properties(), Collections.emptyMap())).getMessage();
        assertTrue(off.contains("option 'tls.ca'") && off.contains("TLS is off; set tls=true"), off);
        assertTrue(error(",tls.verify.hostname=maybe").contains("expected true or false"));
        String sasl = error(",username=shop,password=secret-password");
        assertTrue(sasl.contains("SASL does not work over TLS") && !sasl.contains("secret-password"), sasl);
    }
}
