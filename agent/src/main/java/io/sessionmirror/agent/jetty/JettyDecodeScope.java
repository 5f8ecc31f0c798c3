package io.sessionmirror.agent.jetty;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Decodes a stored copy the way Jetty decodes its own stored sessions, so that what Jetty itself keeps in a
 * session survives the move. That is the container login (FORM, BASIC...): Jetty keeps it as a
 * {@code SessionAuthentication} under {@code org.eclipse.jetty.security.UserIdentity}, and
 * <ul>
 * <li>its class is a server class, which the web app's class loader hides (Jetty's own stores fall back to the
 * server's loader): a decode with the web app's loader alone drops it (ClassNotFoundException);</li>
 * <li>its readObject rebuilds the user from the login service of the current context's SecurityHandler (12.1:
 * from the roles it stored, or re-logs in with the stored credentials when the server persists them; 9.4 to
 * 12.0: re-logs in with the credentials Jetty stored); without a current context it yields no user and Jetty
 * drops the login. Jetty's own {@code AbstractSessionDataStore.load} decodes inside
 * {@code SessionContext.run} for that reason; the agent's restore runs at that method's exit, outside it. (A
 * request's lookup is inside the context already, as Jetty's handlers entered it: measured on 12.1 ee10, the
 * hidden class was the whole loss there. The scope is entered anyway, as Jetty does, so a lookup from
 * anywhere else decodes the same way.)</li>
 * </ul>
 * So the decode gets a loader that falls back to the server's loader for Jetty's own classes, and runs inside
 * {@code SessionContext.run} (9.4 to 12.1 all have it). No password is involved beyond what Jetty itself put
 * in the session.
 */
final class JettyDecodeScope {

    private static final Logger LOG = AgentLog.get();

    private final AtomicBoolean scopeTroubleReported = new AtomicBoolean();

    /**
     * Runs {@code decode} for {@code app} inside {@code sessionContext}'s scope (when there is one), with a loader
     * that also finds Jetty's server classes through {@code serverLoader}.
     */
    <T> T decode(Object sessionContext, WebApp app, ClassLoader serverLoader, ContainerAdapter.Decode<T> decode)
            throws Exception {
        ClassLoader loader = new JettyServerClassesLoader(app.classLoader(), serverLoader);
        Method run = sessionContext == null ? null : runMethod(sessionContext.getClass());
        if (run == null) {
            return unscoped(app, decode, loader, "this Jetty's SessionContext has no run(Runnable)");
        }
        Scoped<T> scoped = new Scoped<>(decode, loader);
        try {
            run.invoke(sessionContext, scoped);
        } catch (InvocationTargetException | IllegalAccessException | RuntimeException e) {
            if (!scoped.ran) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                return unscoped(app, decode, loader, "entering its context failed: " + cause);
            }
            // The decode ran; Jetty failed leaving the scope: what the decode gave is still good.
        }
        return scoped.result();
    }

    private static Method runMethod(Class<?> type) {
        try {
            return Reflector.findMethod(type, "run", new Class<?>[] {Runnable.class});
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /** The decode without the context scope: the session is still restored, a container login in it may not be. */
    private <T> T unscoped(WebApp app, ContainerAdapter.Decode<T> decode, ClassLoader loader, String why)
            throws Exception {
        if (scopeTroubleReported.compareAndSet(false, true)) {
            LOG.warn("Restoring sessions of {} outside its context: {}. Sessions are still restored, but a"
                    + " container login (FORM, BASIC) in them may not survive the move. (Reported once.)", app, why);
        }
        return decode.with(loader);
    }

    /** The decode as a Runnable for {@code SessionContext.run}, keeping its result or what it threw. */
    private static final class Scoped<T> implements Runnable {
        private final ContainerAdapter.Decode<T> decode;
        private final ClassLoader loader;
        volatile boolean ran;
        private T result;
        private Throwable failure;

        Scoped(ContainerAdapter.Decode<T> decode, ClassLoader loader) {
            this.decode = decode;
            this.loader = loader;
        }

        @Override
        public void run() {
            ran = true;
            try {
                result = decode.with(loader);
            } catch (Throwable t) { // handed back to the caller, on this same thread, by result()
                failure = t;
            }
        }

        T result() throws Exception {
            if (failure instanceof Exception) {
                throw (Exception) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            return result;
        }
    }
}
