package io.sessionmirror.demo.launcher;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.resource.FileResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.api.ServletSessionConfig;
import jakarta.servlet.Servlet;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * An ordinary embedded Undertow with its servlet layer, the way applications (and Spring Boot) embed it:
 * each war is unpacked, given its own class loader, and deployed from its {@code web.xml} (listeners,
 * servlets, mappings, session timeout). Undertow itself does not read web.xml; WildFly does, and this
 * small reader covers what the demo apps use.
 * <pre>
 *   java -cp undertow-launcher.jar:undertow/lib/* io.sessionmirror.demo.launcher.UndertowLauncher \
 *        --port 8081 --app /shop=shop.war [--app /other=other.war] [--shared-session-cookie]
 * </pre>
 */
public final class UndertowLauncher {

    private UndertowLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        boolean sharedCookie = false;
        List<String[]> apps = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--app": {
                    String spec = args[++i];
                    int eq = spec.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("--app takes /path=war-file, got " + spec);
                    }
                    apps.add(new String[] {spec.substring(0, eq), spec.substring(eq + 1)});
                    break;
                }
                case "--shared-session-cookie":
                    sharedCookie = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PathHandler paths = Handlers.path();
        List<DeploymentManager> managers = new ArrayList<>();
        for (String[] app : apps) {
            DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment(app[0], new File(app[1]), sharedCookie));
            manager.deploy();
            paths.addPrefixPath(app[0], manager.start());
            managers.add(manager);
        }
        Undertow server = Undertow.builder().addHttpListener(port, "0.0.0.0").setHandler(paths).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            for (DeploymentManager m : managers) {
                try {
                    m.stop();
                    m.undeploy();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }
        }, "undertow-stop"));
        server.start();
        System.out.println("Undertow started on port " + port + " with " + apps.size() + " web app(s)");
    }

    @SuppressWarnings("unchecked")
    private static DeploymentInfo deployment(String contextPath, File war, boolean sharedCookie) throws Exception {
        Path dir = unpack(war);
        List<URL> urls = new ArrayList<>();
        urls.add(dir.resolve("WEB-INF/classes").toUri().toURL());
        File[] jars = dir.resolve("WEB-INF/lib").toFile().listFiles((d, n) -> n.endsWith(".jar"));
        if (jars != null) {
            for (File jar : jars) {
                urls.add(jar.toURI().toURL());
            }
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), UndertowLauncher.class.getClassLoader());
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(loader)
                .setContextPath(contextPath)
                .setDeploymentName(war.getName() + contextPath)
                .setResourceManager(new FileResourceManager(dir.toFile()));
        Document webXml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve("WEB-INF/web.xml").toFile());
        for (Element listener : elements(webXml.getDocumentElement(), "listener")) {
            Class<? extends EventListener> type = (Class<? extends EventListener>) loader.loadClass(text(listener, "listener-class"));
            info.addListener(Servlets.listener(type));
        }
        for (Element servlet : elements(webXml.getDocumentElement(), "servlet")) {
            String name = text(servlet, "servlet-name");
            ServletInfo s = Servlets.servlet(name, (Class<? extends Servlet>) loader.loadClass(text(servlet, "servlet-class")));
            for (Element mapping : elements(webXml.getDocumentElement(), "servlet-mapping")) {
                if (name.equals(text(mapping, "servlet-name"))) {
                    s.addMapping(text(mapping, "url-pattern"));
                }
            }
            info.addServlet(s);
        }
        for (Element config : elements(webXml.getDocumentElement(), "session-config")) {
            String timeout = text(config, "session-timeout");
            if (timeout != null) {
                info.setDefaultSessionTimeout(Integer.parseInt(timeout.trim()) * 60);
            }
        }
        if (sharedCookie) {
            info.setServletSessionConfig(new ServletSessionConfig().setPath("/"));
        }
        return info;
    }

    private static List<Element> elements(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagName(name);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    private static Path unpack(File war) throws IOException {
        Path dir = Files.createTempDirectory("undertow-" + war.getName() + "-");
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(war.toPath()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("war entry outside the war: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        zip.transferTo(out);
                    }
                }
            }
        }
        return dir;
    }
}
