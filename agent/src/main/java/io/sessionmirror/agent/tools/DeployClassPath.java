package io.sessionmirror.agent.tools;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The classes of a web app as a server would load them, for reading its stored sessions outside the server: a
 * war ({@code WEB-INF/classes} and {@code WEB-INF/lib/*.jar}, extracted to a temporary directory that
 * {@link #close} removes), an exploded war directory, or a list of directories and jars separated by
 * {@code :} ({@code dir/*} for every jar in a directory). Several may be combined, e.g. {@code shop.war:/opt/tomcat/lib/*}
 * for the classes the server itself provides (the servlet API a listener class implements). The parent is the
 * platform class loader: JDK classes come from the JDK, nothing from this tool.
 */
final class DeployClassPath implements AutoCloseable {

    private final List<Path> entries;
    private final List<Path> temporary;
    private final URLClassLoader loader;

    private DeployClassPath(List<Path> entries, List<Path> temporary) throws IOException {
        this.entries = entries;
        this.temporary = temporary;
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = entries.get(i).toUri().toURL();
        }
        this.loader = new URLClassLoader("session-mirror-tool", urls, ClassLoader.getPlatformClassLoader());
    }

    /** The class path {@code spec} names; fails with a message naming the element that does not exist. */
    static DeployClassPath of(String spec) throws IOException {
        List<Path> entries = new ArrayList<>();
        List<Path> temporary = new ArrayList<>();
        try {
            for (String element : spec.split(File.pathSeparator)) {
                if (!element.isBlank()) {
                    add(element.trim(), entries, temporary);
                }
            }
            if (entries.isEmpty()) {
                throw new IOException("the class path '" + spec + "' names no directory, jar or war");
            }
            return new DeployClassPath(entries, temporary);
        } catch (IOException | RuntimeException e) {
            temporary.forEach(DeployClassPath::delete);
            throw e;
        }
    }

    private static void add(String element, List<Path> entries, List<Path> temporary) throws IOException {
        if (element.endsWith("/*") || element.equals("*")) {
            Path dir = Path.of(element.length() == 1 ? "." : element.substring(0, element.length() - 2));
            if (!Files.isDirectory(dir)) {
                throw new IOException("class path element '" + element + "': " + dir + " is not a directory");
            }
            entries.addAll(jarsIn(dir));
            return;
        }
        Path p = Path.of(element);
        if (!Files.exists(p)) {
            throw new IOException("class path element '" + element + "' does not exist");
        }
        if (Files.isDirectory(p) && Files.isDirectory(p.resolve("WEB-INF"))) {
            addWebApp(p, entries); // an exploded war
        } else if (!Files.isDirectory(p) && element.endsWith(".war")) {
            Path dir = Files.createTempDirectory("session-mirror-war-");
            temporary.add(dir);
            extractWebInf(p, dir);
            addWebApp(dir, entries);
        } else {
            entries.add(p);
        }
    }

    private static void addWebApp(Path root, List<Path> entries) throws IOException {
        Path classes = root.resolve("WEB-INF/classes");
        if (Files.isDirectory(classes)) {
            entries.add(classes);
        }
        Path lib = root.resolve("WEB-INF/lib");
        if (Files.isDirectory(lib)) {
            entries.addAll(jarsIn(lib));
        }
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            s.forEach(jars::add);
        }
        jars.sort(Comparator.naturalOrder()); // the same order on every run
        return jars;
    }

    /** Only WEB-INF/classes and WEB-INF/lib; an entry that would land outside {@code dir} is refused. */
    private static void extractWebInf(Path war, Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                String name = e.getName();
                if (e.isDirectory() || !(name.startsWith("WEB-INF/classes/") || name.startsWith("WEB-INF/lib/"))) {
                    continue;
                }
                Path target = dir.resolve(name).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException(war + ": entry '" + name + "' points outside the war");
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    ClassLoader loader() {
        return loader;
    }

    /** For the output: what was put on the class path. */
    String describe() {
        long jars = entries.stream().filter(p -> p.toString().endsWith(".jar")).count();
        return (entries.size() - jars) + " class director" + (entries.size() - jars == 1 ? "y" : "ies") + ", " + jars
                + " jar" + (jars == 1 ? "" : "s");
    }

    @Override
    public void close() {
        try {
            loader.close();
        } catch (IOException e) {
            // the temporary files are removed below regardless
        }
        temporary.forEach(DeployClassPath::delete);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the command for
        }
    }
}
