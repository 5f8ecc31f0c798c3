package io.sessionmirror.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the files the {@code tls.*} options name: CA certificates (PEM, or a JKS/PKCS#12 trust store), a client
 * certificate chain (PEM) and its private key (PEM, PKCS#8). Each failure is a one-line
 * {@link Problem#invalid} that says what is wrong with the file and, where it helps, how to convert it.
 */
final class TlsFiles {

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    /** What {@code openssl} writes for keys in other formats, with the command that makes PKCS#8 of them. */
    private static final String[][] OTHER_KEYS = {
        {"RSA PRIVATE KEY", "a PKCS#1 RSA key"},
        {"EC PRIVATE KEY", "an SEC1 EC key"},
        {"ENCRYPTED PRIVATE KEY", "an encrypted PKCS#8 key (the agent has no passphrase option)"},
        {"OPENSSH PRIVATE KEY", "an OpenSSH key"},
    };
    private static final String TO_PKCS8 = "convert it with: openssl pkcs8 -topk8 -nocrypt -in <key> -out <key>.pk8";

    private TlsFiles() {
    }

    /** tls.ca: a trust store holding the CA certificates of a PEM file, or a .jks/.p12/.pfx trust store as is. */
    static KeyStore trustStore(String path, Problem problem) {
        byte[] bytes = read(path, problem);
        String lower = path.toLowerCase(Locale.ROOT);
        boolean store = lower.endsWith(".jks") || lower.endsWith(".p12") || lower.endsWith(".pfx")
                || lower.endsWith(".pkcs12");
        try {
            KeyStore ks;
            if (store) {
                ks = KeyStore.getInstance(lower.endsWith(".jks") ? "JKS" : "PKCS12");
                // No password: trusted certificates need none to be read (the password only guards integrity).
                ks.load(new java.io.ByteArrayInputStream(bytes), null);
            } else {
                ks = emptyStore();
                int i = 0;
                for (X509Certificate c : certificates(bytes, problem, "CA certificate")) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (!hasCertificates(ks)) {
                throw problem.invalid(store ? "the trust store holds no certificate readable without a password;"
                        + " export the CA certificates as PEM (keytool -exportcert -rfc) and name that file"
                        : "no CA certificate in it");
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw problem.invalid("not a readable " + (store ? "trust store" : "PEM file") + ": " + reason(e));
        }
    }

    /** tls.cert: the client's certificate, then any intermediate certificates, as PEM. */
    static List<X509Certificate> chain(String path, Problem problem) {
        List<X509Certificate> chain = certificates(read(path, problem), problem, "certificate");
        return Collections.unmodifiableList(chain);
    }

    /** tls.key: the client certificate's private key, PEM "BEGIN PRIVATE KEY" (PKCS#8, unencrypted). */
    static PrivateKey privateKey(String path, Problem problem) {
        String text = new String(read(path, problem), StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            for (String[] other : OTHER_KEYS) {
                if (text.contains("-----BEGIN " + other[0] + "-----")) {
                    throw problem.invalid("it holds " + other[1] + ", not PKCS#8; " + TO_PKCS8);
                }
            }
            throw problem.invalid("no '-----BEGIN PRIVATE KEY-----' block in it");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw problem.invalid("the PEM block is not valid base64");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException notThisOne) {
                // try the next algorithm; EdDSA is unknown before Java 15
            }
        }
        throw problem.invalid("not an RSA, EC or EdDSA private key in PKCS#8 form");
    }

    /** Whether the private key belongs to the certificate: it signs a random text the certificate's key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            default:
                algorithm = key.getAlgorithm(); // EdDSA, Ed25519, Ed448 sign with their own name
        }
        try {
            byte[] text = new byte[32];
            new SecureRandom().nextBytes(text);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(text);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(pub);
            v.update(text);
            return v.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    private static List<X509Certificate> certificates(byte[] pem, Problem problem, String what) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw problem.invalid(text.contains("PRIVATE KEY-----") ? "it holds a private key, not a " + what
                    : "no '-----BEGIN CERTIFICATE-----' block in it (PEM " + what + "s expected)");
        }
        Collection<? extends Certificate> all;
        try (InputStream in = new java.io.ByteArrayInputStream(pem)) {
            all = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException | IOException e) {
            throw problem.invalid("an unreadable PEM " + what + ": " + reason(e));
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : all) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw problem.invalid("no " + what + " in it");
        }
        return out;
    }

    private static boolean hasCertificates(KeyStore ks) throws GeneralSecurityException {
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.getCertificate(alias) != null) {
                return true;
            }
        }
        return false;
    }

    private static byte[] read(String path, Problem problem) {
        Path p = Paths.get(path);
        if (!Files.isRegularFile(p)) {
            throw problem.invalid(Files.exists(p) ? "not a file" : "no such file");
        }
        try {
            return Files.readAllBytes(p);
        } catch (IOException | RuntimeException e) {
            throw problem.unreadable(e);
        }
    }

    /** An exception's message without its cause chain, on one line. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
    }
}
