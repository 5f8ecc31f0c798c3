package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployClassPathTest {

    @TempDir
    Path dir;

    private static void zip(Path file, String... namesAndContents) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    @Test
    void aWarGivesItsClassesAndLibsAndIsRemovedAtClose() throws Exception {
        Path lib = dir.resolve("lib.jar");
        zip(lib, "com/lib/res.txt", "from the lib");
        Path war = dir.resolve("app.war");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(war))) {
            z.putNextEntry(new ZipEntry("WEB-INF/classes/com/app/res.txt"));
            z.write("from classes".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("WEB-INF/lib/lib.jar"));
            z.write(Files.readAllBytes(lib));
            z.putNextEntry(new ZipEntry("index.html"));
            z.write("not on the class path".getBytes(StandardCharsets.UTF_8));
        }
        Path extracted;
        try (DeployClassPath cp = DeployClassPath.of(war.toString())) {
            ClassLoader l = cp.loader();
            assertNotNull(l.getResource("com/app/res.txt"));
            assertNotNull(l.getResource("com/lib/res.txt"));
            assertEquals(null, l.getResource("index.html"));
            assertEquals("1 class directory, 1 jar", cp.describe());
            extracted = Path.of(l.getResource("com/app/res.txt").toURI()).getParent().getParent().getParent()
                    .getParent().getParent();
            assertTrue(Files.isDirectory(extracted));
        }
        assertFalse(Files.exists(extracted), "the extracted war is removed");
    }

    @Test
    void aPathListWithDirectoriesJarsAndAWildcard() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/com/x"));
        Files.writeString(classes.resolve("a.txt"), "a");
        Path libs = Files.createDirectories(dir.resolve("libs"));
        zip(libs.resolve("one.jar"), "one.txt", "1");
        zip(libs.resolve("two.jar"), "two.txt", "2");
        try (DeployClassPath cp = DeployClassPath.of(dir.resolve("classes") + ":" + libs + "/*")) {
            assertNotNull(cp.loader().getResource("com/x/a.txt"));
            assertNotNull(cp.loader().getResource("two.txt"));
            assertEquals("1 class directory, 2 jars", cp.describe());
        }
        IOException missing = assertThrows(IOException.class, () -> DeployClassPath.of(dir.resolve("nope.war").toString()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void aWarEntryThatPointsOutsideIsRefused() throws Exception {
        Path war = dir.resolve("evil.war");
        zip(war, "WEB-INF/classes/../../../escaped.txt", "x");
        IOException e = assertThrows(IOException.class, () -> DeployClassPath.of(war.toString()));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void theParentIsThePlatformLoaderNotTheTools() throws Exception {
        Files.createDirectories(dir.resolve("c"));
        try (DeployClassPath cp = DeployClassPath.of(dir.resolve("c").toString())) {
            assertThrows(ClassNotFoundException.class, () -> cp.loader().loadClass(DeployClassPath.class.getName()));
            assertEquals(String.class, cp.loader().loadClass("java.lang.String"));
        }
    }
}
