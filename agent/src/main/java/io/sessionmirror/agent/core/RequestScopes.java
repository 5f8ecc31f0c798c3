package io.sessionmirror.agent.core;

/**
 * The request each thread is running, as far as the agent cares: one {@link RequestScope} per thread, opened
 * when a request starts (or is first seen at a lookup) and closed when its write is stored, which is when the
 * session locks it took are released.
 */
final class RequestScopes {

    private final ContainerAdapter adapter;
    private final SessionLocks locks;
    private final ThreadLocal<RequestScope> scopes = ThreadLocal.withInitial(RequestScope::new);

    RequestScopes(ContainerAdapter adapter, SessionLocks locks) {
        this.adapter = adapter;
        this.locks = locks;
    }

    /** A request starts on this thread; a scope left open by the thread's previous request is closed first. */
    void start(Object request) {
        RequestScope scope = scopes.get();
        if (!scope.locks.isEmpty()) {
            locks.releaseAll(scope.locks); // the thread's previous request ended without telling us
        }
        scope.clear();
        scope.request = request;
    }

    /** The scope of the request this thread runs (empty when none is known). */
    RequestScope current() {
        return scopes.get();
    }

    /**
     * The scope of the request a lookup runs for. Families with a request-start hook (Tomcat) opened it
     * there; the others (Undertow) pass their request with each lookup, and a new request object on this
     * thread starts a new scope.
     */
    RequestScope forLookup(Object lookupArgument) {
        RequestScope scope = scopes.get();
        Object request = lookupArgument == null ? null : adapter.requestOf(lookupArgument);
        if (request != null && scope.request != request) {
            if (!scope.locks.isEmpty()) {
                locks.releaseAll(scope.locks);
            }
            scope.clear();
            scope.request = request;
        }
        return scope;
    }

    /** The request is over (its write is stored): its locks are released, the next holder reads that write. */
    void close(RequestScope scope) {
        if (!scope.locks.isEmpty()) {
            locks.releaseAll(scope.locks);
        }
        scope.clear();
    }
}
