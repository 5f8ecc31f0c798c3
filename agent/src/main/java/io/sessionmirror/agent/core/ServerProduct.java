package io.sessionmirror.agent.core;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * The application server around a web container, as it names itself: for the log line that says what is
 * mirrored ("... in WildFly 39.0.1.Final"). WildFly and JBoss EAP name their product in the manifest of the
 * product module that {@code bin/product.conf} points to (what their own banner reads). Null when there is none.
 */
final class ServerProduct {

    private static volatile String cached;
    private static volatile boolean looked;

    private ServerProduct() {
    }

    static String get() {
        if (!looked) {
            cached = jboss(System.getProperty("jboss.home.dir"));
            looked = true;
        }
        return cached;
    }

    static String jboss(String home) {
        if (home == null) {
            return null;
        }
        try {
            String slot = "main";
            File conf = new File(home, "bin/product.conf");
            if (conf.isFile()) {
                for (String line : Files.readAllLines(conf.toPath(), StandardCharsets.UTF_8)) {
                    if (line.trim().startsWith("slot=")) {
                        slot = line.trim().substring("slot=".length()).trim();
                    }
                }
            }
            File[] jars = new File(home, "modules/system/layers/base/org/jboss/as/product/" + slot)
                    .listFiles((dir, name) -> name.endsWith(".jar"));
            if (jars == null) {
                return null;
            }
            for (File jar : jars) {
                try (JarFile j = new JarFile(jar, false)) {
                    Attributes a = j.getManifest() == null ? null : j.getManifest().getMainAttributes();
                    String name = a == null ? null : a.getValue("JBoss-Product-Release-Name");
                    if (name != null) {
                        String version = a.getValue("JBoss-Product-Release-Version");
                        return version == null ? name : name + " " + version;
                    }
                }
            }
        } catch (Exception | LinkageError e) {
            // not readable: the web container's own version is all the line says
        }
        return null;
    }
}
