package io.sessionmirror.agent;

import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from the build. */
final class Version {

    private Version() {
    }

    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (Exception | LinkageError e) {
            return "dev";
        }
    }
}
