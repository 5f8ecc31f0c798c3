package io.sessionmirror.agent.undertow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.sessionmirror.agent.ServerFamily;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.SessionKeys;
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

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder
                .type(named(MANAGER))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.GetSession.class)
                                .on(named("getSession").and(takesArguments(2)))))
                .type(named(SESSION))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.AttributeWritten.class)
                                .on(named("setAttribute").and(takesArguments(String.class, Object.class))
                                        .or(named("removeAttribute").and(takesArguments(String.class)))))
                        .visit(Advice.to(UndertowAdvice.AttributeRead.class)
                                .on(named("getAttribute").and(takesArguments(String.class))))
                        .visit(Advice.to(UndertowAdvice.RequestDone.class)
                                .on(named("requestDone").and(takesArguments(1))))
                        .visit(Advice.to(UndertowAdvice.Invalidate.class)
                                .on(named("invalidate").and(takesArguments(2))))
                        .visit(Advice.to(UndertowAdvice.ChangeSessionId.class)
                                .on(named("changeSessionId").and(takesArguments(2)).and(takesArgument(0, named("io.undertow.server.HttpServerExchange"))))))
                .type(named(SERVLET_RESPONSE))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(UndertowAdvice.ResponseDone.class)
                                .on(named("responseDone").and(takesArguments(0)))));
    }
}
