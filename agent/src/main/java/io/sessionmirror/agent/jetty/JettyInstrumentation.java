package io.sessionmirror.agent.jetty;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.sessionmirror.agent.ServerFamily;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.SessionKeys;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Where the Jetty advice goes. Jetty 9.4, 10 and 11 keep sessions in {@code org.eclipse.jetty.server.session};
 * Jetty 12 moved the same design (SessionHandler, SessionCache, SessionDataStore) to the core package
 * {@code org.eclipse.jetty.session}, which every EE environment (ee8 to ee11) uses. The hooks sit on the
 * cache and the abstract store; a miss is restored from Memcached only for the default
 * {@code NullSessionDataStore} (a user-configured file or JDBC store decides itself which sessions exist).
 */
public final class JettyInstrumentation implements ServerFamily {

    static final String LEGACY = "org.eclipse.jetty.server.session.";
    static final String CORE = "org.eclipse.jetty.session.";

    @Override
    public List<String> packagePrefixes() {
        return List.of(LEGACY, CORE);
    }

    @Override
    public int slot() {
        return JettyAdvice.SLOT;
    }

    @Override
    public ContainerAdapter adapter(SessionKeys keys) {
        return new JettyAdapter(keys);
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        for (String pkg : packagePrefixes()) {
            builder = builder
                    .type(named(pkg + "AbstractSessionDataStore"))
                    .transform((b, type, loader, module, domain) -> b
                            .visit(Advice.to(JettyAdvice.Load.class)
                                    .on(named("load").and(takesArguments(String.class)).and(not(isAbstract())))))
                    .type(named(pkg + "AbstractSessionCache"))
                    .transform((b, type, loader, module, domain) -> b
                            .visit(Advice.to(JettyAdvice.Loaded.class)
                                    .on(named("loadSession").and(takesArguments(String.class))))
                            .visit(Advice.to(JettyAdvice.ReleaseByIdAndSession.class)
                                    .on(named("release").and(takesArguments(2)).and(takesArgument(0, String.class))))
                            .visit(Advice.to(JettyAdvice.ReleaseSession.class)
                                    .on(named("release").and(takesArguments(1))))
                            .visit(Advice.to(JettyAdvice.SessionAdded.class)
                                    .on(named("add").and(takesArguments(2)).and(takesArgument(0, String.class))))
                            .visit(Advice.to(JettyAdvice.Commit.class)
                                    .on(named("commit").and(takesArguments(1))))
                            .visit(Advice.to(JettyAdvice.RenewSessionId.class)
                                    .on(named("renewSessionId").and(takesArguments(4)))))
                    // Session (9.4 to 11) and ManagedSession (12.x): the one session class of each line.
                    .type(namedOneOf(pkg + "Session", pkg + "ManagedSession"))
                    .transform((b, type, loader, module, domain) -> b
                            .visit(Advice.to(JettyAdvice.AttributeWritten.class)
                                    .on(named("setAttribute").and(takesArguments(String.class, Object.class))
                                            .or(named("removeAttribute").and(takesArguments(String.class)))))
                            .visit(Advice.to(JettyAdvice.AttributeRead.class)
                                    .on(named("getAttribute").and(takesArguments(String.class))))
                            .visit(Advice.to(JettyAdvice.FinishInvalidate.class)
                                    .on(named("finishInvalidate").and(takesArguments(0)))));
        }
        builder = builder
                .type(named(LEGACY + "SessionHandler"))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(JettyAdvice.GetSessionByExtendedId.class)
                                .on(named("getHttpSession").and(takesArguments(String.class)))))
                .type(named(CORE + "AbstractSessionManager"))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(JettyAdvice.GetSessionByExtendedId.class)
                                .on(named("getManagedSession").and(takesArguments(String.class)))));
        return builder;
    }
}
