package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security options: what they accept, what they refuse, and that secrets never appear in any message. */
class SecurityOptionsTest {

    static final String SECRET = "s3cr3t-value-of-enough-length";

    private static MirrorConfig load(String options) {
        return MirrorConfig.load(options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(options));
        assertTrue(e.getMessage().startsWith("session-mirror: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void secretsRotateAndAreNeverShown() {
        MirrorConfig c = load("nodes=a:1,secret=" + SECRET + ",older-secret-still-accepted,encrypt=true");
        assertEquals(List.of(SECRET, "older-secret-still-accepted"), c.secrets());
        assertTrue(c.encrypt());
        assertFalse(c.describe().contains(SECRET), c.describe());
        assertTrue(c.describe().contains("secret=set (signed, encrypted)"), c.describe());
        assertTrue(load("nodes=a:1").describe().contains("secret=none"));
    }

    @Test
    void badSecretsAreNamedWithoutTheirValue() {
        MirrorConfig weak = load("nodes=a:1,secret=changeit");
        assertEquals(List.of("changeit"), weak.secrets(), "a short secret works (with a start-up warning)");
        assertFalse(weak.secretsStrong());
        assertTrue(load("nodes=a:1,secret=" + SECRET).secretsStrong());
        String empty = error("nodes=a:1,secret=");
        assertTrue(empty.contains("no secret given"), empty);
        assertTrue(error("nodes=a:1,secret=" + SECRET + "," + SECRET).contains("listed twice"));
        assertTrue(error("nodes=a:1,encrypt=true").contains("encryption needs a key"));
        assertTrue(error("nodes=a:1,encrypt=yes").contains("expected true or false"));
        String pw = error("nodes=a:1,username=app,password=pa55,wXyZ9");
        assertFalse(pw.contains("wXyZ9") || pw.contains("pa55"), "a password with a comma is not echoed: " + pw);
    }

    @Test
    void secretAndPasswordFiles(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets");
        Files.write(secrets, List.of("# current first", SECRET, "", "old,secret;with=separators"));
        Path password = dir.resolve("password");
        Files.write(password, List.of("p,a;s=s word"));
        MirrorConfig c = load("nodes=a:1,secret.file=" + secrets + ",username=app,password.file=" + password);
        assertEquals(List.of(SECRET, "old,secret;with=separators"), c.secrets());
        assertEquals("app", c.username());
        assertEquals("p,a;s=s word", c.password());
        assertFalse(c.describe().contains("p,a;s=s"), c.describe());

        assertTrue(error("nodes=a:1,secret=" + SECRET + ",secret.file=" + secrets).contains("give one of them"));
        assertTrue(error("nodes=a:1,secret.file=" + dir.resolve("missing")).contains("cannot read it"));
        Files.write(dir.resolve("empty"), List.of("# nothing"));
        assertTrue(error("nodes=a:1,secret.file=" + dir.resolve("empty")).contains("holds no secret"));
        assertTrue(error("nodes=a:1,username=app").contains("needs 'password'"));
        assertTrue(error("nodes=a:1,password=abc").contains("needs 'username'"));
    }

    @Test
    void theEnvironmentKeepsSecretsOutOfTheCommandLine() {
        MirrorConfig c = MirrorConfig.load("nodes=a:1", new Properties(),
                Map.of("SESSIONMIRROR_SECRET", SECRET, "SESSIONMIRROR_USERNAME", "app", "SESSIONMIRROR_PASSWORD", "pw"));
        assertEquals(List.of(SECRET), c.secrets());
        assertEquals("environment variable SESSIONMIRROR_SECRET", c.sourceOf(Option.SECRET));
        assertEquals("pw", c.password());
    }

    @Test
    void classFilterAndSizes() {
        MirrorConfig c = load("nodes=a:1,classes.allow=com.shop.,org.example.Cart,net.x.*,classes.deny=com.shop.Admin,"
                + "max.size=2m,compress=4k");
        assertEquals(List.of("com.shop.", "org.example.Cart", "net.x."), c.classPatterns(Option.CLASSES_ALLOW));
        assertEquals(List.of("com.shop.Admin"), c.classPatterns(Option.CLASSES_DENY));
        assertEquals(2 * 1024 * 1024, c.maxSize());
        assertEquals(4096, c.compressAbove());
        assertEquals(1024 * 1024, load("nodes=a:1").maxSize());
        assertEquals(-1, load("nodes=a:1").compressAbove());
        assertTrue(error("nodes=a:1,classes.allow=com/shop").contains("'com/shop' is not a class name or package prefix"));
        assertTrue(error("nodes=a:1,max.size=200m").contains("out of range"));
        assertTrue(error("nodes=a:1,max.size=lots").contains("expected a size in bytes"));
        assertTrue(error("nodes=a:1,compress=2m").contains("must be below max.size"));
    }
}
