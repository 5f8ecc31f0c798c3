package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.support.Reflector;
import java.util.List;
import java.util.Map;

/**
 * Undertow 2.x seen through {@link ContainerAdapter}: the manager is {@code InMemorySessionManager}, a
 * session its {@code SessionImpl}. This class reads and changes sessions; the rest is one class per job:
 * {@link UndertowMembers} (the reflected members, per class), {@link UndertowWebApps} (which web app a manager
 * serves), {@link UndertowRestore} (a stored session rebuilt, listeners activated), {@link UndertowRequests}
 * (what the advice passes as the bridge's request) and {@link UndertowLiveSessions} (the sessions an attach
 * exports, found through XNIO's timer queues).
 */
final class UndertowAdapter implements ContainerAdapter {

    private final UndertowMembers members = new UndertowMembers();
    private final UndertowWebApps webApps;
    private final UndertowRestore restorer;
    private final UndertowRequests requests = new UndertowRequests();
    private final UndertowLiveSessions live;
    private final Reflector reflector = new Reflector();

    UndertowAdapter(SessionKeys keys) {
        webApps = new UndertowWebApps(keys, members);
        restorer = new UndertowRestore(members, webApps);
        live = new UndertowLiveSessions(members, webApps);
    }

    // ---------------------------------------------------------------- web apps

    @Override
    public WebApp webAppOfManager(Object manager) {
        return webApps.ofManager(manager);
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        return webApps.ofSession(session);
    }

    // ---------------------------------------------------------------- sessions

    /** {@code request}: the lookup's {@code Object[] {HttpServerExchange, SessionConfig}}. */
    @Override
    public String requestedId(Object manager, Object request) {
        return requests.requestedId(request);
    }

    @Override
    public String sessionId(Object session) {
        try {
            return (String) members.ofSession(session).sessionId.get(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        try {
            return (Integer) members.ofSession(session).maxInactiveInterval.get(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public SessionData snapshot(Object session) {
        try {
            UndertowMembers.Members m = members.ofSession(session);
            if ((Boolean) m.invalid.get(session) || (Boolean) m.invalidationStarted.get(session)) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = SessionData.copyOf((Map<String, Object>) m.attributes.get(session));
            return new SessionData((String) m.sessionId.get(session), (Long) m.creationTime.get(session),
                    (Integer) m.maxInactiveInterval.get(session), null, null, attributes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Undertow session: " + e, e);
        }
    }

    @Override
    public Object findLocal(Object manager, String id) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> sessions = (Map<String, Object>) members.of(manager).sessions.get(manager);
        return sessions.get(id);
    }

    /** {@code request}: the lookup's {@code Object[] {HttpServerExchange, SessionConfig}}; nothing without it. */
    @Override
    public Object restore(Object manager, String id, SessionData data, Object request) throws Exception {
        if (!(request instanceof Object[])) {
            return null; // Undertow needs the exchange (its I/O thread and worker run the timeout timer)
        }
        return restorer.restore(manager, id, data, (Object[]) request);
    }

    @Override
    public List<Object> liveSessions(LoadedClasses loaded) {
        return live.find();
    }

    /**
     * {@code response}: the servlet layer's {@code HttpServletResponseImpl}, from the {@code responseDone} advice.
     * Core-only Undertow has no such point: it writes when the request is done with the session ({@code requestDone}).
     */
    @Override
    public Object sessionOfRequest(Object response) {
        return requests.sessionOfResponse(response);
    }

    // ---------------------------------------------------------------- non-sticky

    /** The exchange: a lookup passes {@code Object[] {exchange, config}}, on a miss and on a hit. */
    @Override
    public Object requestOf(Object lookupArgument) {
        return UndertowRequests.exchangeOf(lookupArgument);
    }

    /**
     * Sticky mode, a session found here: the request's cookie carries another server's route (WildFly's
     * instance-id), so the user was served elsewhere meanwhile. The cookie is given this server's route at once:
     * the session is answered here from now on, whatever the stored copy decides about its content.
     */
    @Override
    public boolean cameFromElsewhere(Object session, Object request) {
        if (!(request instanceof Object[])) {
            return false;
        }
        Object[] exchangeAndConfig = (Object[]) request;
        return UndertowRoutes.answerWithOwnRoute(exchangeAndConfig[0], exchangeAndConfig[1], sessionId(session));
    }

    @Override
    public String requestUri(Object request) {
        return requests.requestUri(request);
    }

    /** Replaces the attributes in place; the timeout through the session's own setter (it reschedules expiry). */
    @Override
    public boolean refresh(Object session, SessionData data) throws Exception {
        UndertowMembers.Members m = members.ofSession(session);
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) m.attributes.get(session);
        attributes.keySet().retainAll(data.attributes().keySet());
        attributes.putAll(data.attributes());
        refreshTimeout(session, m, data);
        return true;
    }

    @Override
    public boolean refreshChanged(Object session, SessionData data, java.util.Collection<String> changed)
            throws Exception {
        UndertowMembers.Members m = members.ofSession(session);
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) m.attributes.get(session);
        ContainerAdapter.applyChanged(attributes, data, changed);
        refreshTimeout(session, m, data);
        return true;
    }

    private void refreshTimeout(Object session, UndertowMembers.Members m, SessionData data) throws Exception {
        if ((Integer) m.maxInactiveInterval.get(session) != data.maxInactiveSeconds()) {
            reflector.call(session, "setMaxInactiveInterval", new Class<?>[] {int.class}, data.maxInactiveSeconds());
        }
    }

    /** Out of the manager's map, and marked as being invalidated so its expiry timer does nothing. */
    @Override
    public void discard(Object manager, Object session) throws Exception {
        UndertowMembers.Members m = members.of(manager);
        m.invalidationStarted.set(session, true);
        m.invalid.set(session, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> sessions = (Map<String, Object>) m.sessions.get(manager);
        sessions.remove(m.sessionId.get(session), session);
    }

    /** {@code reason}: Undertow's {@code SessionDestroyedReason} from the invalidate advice. */
    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        try {
            Object manager = members.managerOf(session);
            if (manager == null) {
                return DestroyCause.IGNORE;
            }
            UndertowMembers.Members m = members.of(manager);
            if ((Boolean) m.invalidationStarted.get(session) || findLocal(manager, (String) m.sessionId.get(session)) != session) {
                return DestroyCause.IGNORE; // already invalidated, or not (or no longer) in the manager
            }
            String why = reason == null ? "INVALIDATED" : reason.toString();
            switch (why) {
                case "INVALIDATED":
                    return DestroyCause.INVALIDATED;
                case "TIMEOUT":
                    return DestroyCause.TIMED_OUT;
                default:
                    return DestroyCause.SHUTDOWN; // UNDEPLOY
            }
        } catch (Exception e) {
            return DestroyCause.IGNORE;
        }
    }

    /**
     * Undertow calls {@code requestStarted} at each lookup of the session by a request, and {@code requestDone}
     * once: only the first, before which the exchange has no {@code FIRST_REQUEST_ACCESS} attachment, is a start.
     */
    @Override
    public boolean firstUse(Object session, Object exchange) {
        if (exchange == null) {
            return true;
        }
        try {
            UndertowMembers.Members m = members.ofSession(session);
            return m.getAttachment.invokeExact(exchange, m.firstRequestAccess.get(session)) == null;
        } catch (Throwable e) {
            return true;
        }
    }
}
