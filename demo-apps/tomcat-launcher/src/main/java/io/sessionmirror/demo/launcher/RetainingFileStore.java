package io.sessionmirror.demo.launcher;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.Session;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.session.StoreBase;

/**
 * A Store for Tomcat's {@code PersistentManager} that keeps every session it was given, one file per session,
 * and hands it back on every load, as the mock Store of Tomcat's {@code TestPersistentManager#testBug62175}
 * does. Tomcat's FileStore (final) deletes a session the manager found timed out after the first load, so a
 * second load of the same id finds nothing and a double read goes unseen; here the second load returns the
 * same timed-out session, which Tomcat then expires a second time.
 * <p>
 * Each load prints {@code STORE-LOAD <id> <context>} to stdout, so that a test can count in the server's log the
 * loads a request made. A test fixture, given by a context.xml:
 * <pre>
 *   &lt;Store className="io.sessionmirror.demo.launcher.RetainingFileStore" directory="/abs/dir"/&gt;
 * </pre>
 */
public class RetainingFileStore extends StoreBase {

    private static final String SUFFIX = ".session";

    private String directory;

    /** Set by the context.xml: an absolute directory, created if missing. */
    public void setDirectory(String directory) {
        this.directory = directory;
    }

    public String getDirectory() {
        return directory;
    }

    private Path dir() throws IOException {
        return Files.createDirectories(new File(directory).toPath());
    }

    private Path file(String id) throws IOException {
        return dir().resolve(id + SUFFIX);
    }

    @Override
    public int getSize() throws IOException {
        return keys().length;
    }

    @Override
    public String[] keys() throws IOException {
        List<String> ids = new ArrayList<>();
        String[] names = dir().toFile().list();
        for (String name : names == null ? new String[0] : names) {
            if (name.endsWith(SUFFIX)) {
                ids.add(name.substring(0, name.length() - SUFFIX.length()));
            }
        }
        return ids.toArray(new String[0]);
    }

    @Override
    public Session load(String id) throws ClassNotFoundException, IOException {
        Context context = getManager().getContext();
        System.out.println("STORE-LOAD " + id + " " + context.getName());
        Path file = file(id);
        if (!Files.exists(file)) {
            return null;
        }
        // StoreBase resolves the session's classes through the thread's context class loader: the web app's.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(context.getLoader().getClassLoader());
        try (InputStream in = Files.newInputStream(file); ObjectInputStream ois = getObjectInputStream(in)) {
            StandardSession session = (StandardSession) getManager().createEmptySession();
            session.readObjectData(ois);
            session.setManager(getManager());
            return session;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void save(Session session) throws IOException {
        Path file = file(session.getIdInternal());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp));
             ObjectOutputStream oos = new ObjectOutputStream(out)) {
            ((StandardSession) session).writeObjectData(oos);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Kept: the mock Store of testBug62175 ignores removals too, so the timed-out session stays loadable. */
    @Override
    public void remove(String id) {
        System.out.println("STORE-REMOVE-IGNORED " + id + " " + getManager().getContext().getName());
    }

    /** Kept as well, for the same reason. */
    @Override
    public void clear() {
        // intentionally empty
    }

    /**
     * No background sweep: it would load (and expire) the kept sessions on Tomcat's background thread, and the
     * loads and expiries a test counts must be those of its own requests only.
     */
    @Override
    public void processExpires() {
        // intentionally empty
    }
}
