package io.sessionmirror.agent.undertow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.FamilyGate;
import io.sessionmirror.agent.core.ServerFamily;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.support.RequiredMembers;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/** Where the Undertow advice goes: the in-memory session manager of undertow-core 2.x. */
public final class UndertowInstrumentation implements ServerFamily {

    static final String MANAGER = "io.undertow.server.session.InMemorySessionManager";
    static final String SESSION = MANAGER + "$SessionImpl";
    /** The servlet layer's response: its {@code responseDone()} is the last moment before the client is answered. */
    static final String SERVLET_RESPONSE = "io.undertow.servlet.spec.HttpServletResponseImpl";

    @Override
    public String name() {
        return "Undertow";
    }

    @Override
    public List<String> packagePrefixes() {
        return List.of(MANAGER, SERVLET_RESPONSE);
    }

    @Override
    public int slot() {
        return UndertowAdvice.SLOT;
    }

    @Override
    public ContainerAdapter adapter(SessionKeys keys) {
        return new UndertowAdapter(keys);
    }

    /**
     * What the adapter and {@link UndertowAdvice} reach by name: undertow-core's session manager, and the servlet
     * layer's members where it is there (WildFly loads the two from different modules).
     */
    @Override
    public RequiredMembers requiredMembers() {
        String servlet = "io.undertow.servlet.";
        return new RequiredMembers()
                .where(MANAGER)
                .fields(MANAGER, "sessions", "sessionListeners", "evictionQueue")
                .methods(MANAGER, "getSession/2", "getDeploymentName/0", "stop/0")
                .fields("io.undertow.server.session.SessionListeners", "sessionListeners")
                .fields(SESSION, "FIRST_REQUEST_ACCESS", "sessionManager", "attributes", "creationTime", "lastAccessed", "sessionId", "invalid",
                        "invalidationStarted", "maxInactiveInterval")
                .methods(SESSION, "requestStarted/1", "setEvictionToken/1", "setMaxInactiveInterval/1",
                        "setAttribute/2", "removeAttribute/1", "getAttribute/1", "requestDone/1", "invalidate/2",
                        "changeSessionId/2")
                .methods("io.undertow.server.HttpServerExchange", "getIoThread/0", "getConnection/0", "getAttachment/1")
                .methods("io.undertow.server.ServerConnection", "getWorker/0")
                .methods("io.undertow.server.session.SessionConfig", "findSessionId/1")
                .where(SERVLET_RESPONSE)
                .fields(SERVLET_RESPONSE, "servletContext", "exchange")
                .methods(SERVLET_RESPONSE, "responseDone/0")
                .fields(servlet + "spec.ServletContextImpl", "sessionAttachmentKey")
                .fields(servlet + "spec.HttpSessionImpl", "session")
                .methods(servlet + "spec.HttpSessionImpl", "forSession/3")
                .fields(servlet + "core.SessionListenerBridge", "servletContext");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder, FamilyGate gate) {
        return builder
                .type(gate.type(named(MANAGER)))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.GetSession.class)
                                .on(named("getSession").and(takesArguments(2))))
                        .visit(Advice.to(UndertowAdvice.ManagerStop.class)
                                .on(named("stop").and(takesArguments(0)))))
                .type(gate.type(named(SESSION)))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.AttributeWritten.class)
                                .on(named("setAttribute").and(takesArguments(String.class, Object.class))
                                        .or(named("removeAttribute").and(takesArguments(String.class)))))
                        .visit(Advice.to(UndertowAdvice.AttributeRead.class)
                                .on(named("getAttribute").and(takesArguments(String.class))))
                        .visit(Advice.to(UndertowAdvice.RequestStarted.class)
                                .on(named("requestStarted").and(takesArguments(1))))
                        .visit(Advice.to(UndertowAdvice.RequestDone.class)
                                .on(named("requestDone").and(takesArguments(1))))
                        .visit(Advice.to(UndertowAdvice.Invalidate.class)
                                .on(named("invalidate").and(takesArguments(2))))
                        .visit(Advice.to(UndertowAdvice.ChangeSessionId.class)
                                .on(named("changeSessionId").and(takesArguments(2)).and(takesArgument(0, named("io.undertow.server.HttpServerExchange"))))))
                .type(gate.type(named(SERVLET_RESPONSE)))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.ResponseDone.class)
                                .on(named("responseDone").and(takesArguments(0)))));
    }
}
