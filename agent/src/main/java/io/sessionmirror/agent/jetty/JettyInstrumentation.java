package io.sessionmirror.agent.jetty;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
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
    public String name() {
        return "Jetty";
    }

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

    /**
     * What {@link JettyAdapter} and {@link JettyAdvice} reach by name, in jetty-server (9.4 to 11) or
     * jetty-session (12.x): one group per line, checked where its data store class is.
     */
    @Override
    public RequiredMembers requiredMembers() {
        RequiredMembers members = new RequiredMembers();
        for (String pkg : packagePrefixes()) {
            boolean core = pkg.equals(CORE);
            String session = pkg + (core ? "ManagedSession" : "Session");
            String manager = pkg + (core ? "AbstractSessionManager" : "SessionHandler");
            members.where(pkg + "AbstractSessionDataStore")
                    .fields(pkg + "AbstractSessionDataStore", "_context")
                    .methods(pkg + "AbstractSessionDataStore", "newSessionData/5", "load/1")
                    .methods(pkg + "AbstractSessionCache", "loadSession/1", core ? "release/1" : "release/2", "add/2",
                            "commit/1", "renewSessionId/4", "delete/1")
                    .fields(session, "_sessionData", core ? "_manager" : "_handler", "_state", "_requests")
                    .methods(session, "isValid/0", "getId/0", "getExtendedId/0",
                            core ? "onSessionActivation/0" : "didActivate/0", "setAttribute/2", "removeAttribute/1",
                            "getAttribute/1", "finishInvalidate/0")
                    .fields(pkg + "SessionData", "_attributes")
                    .methods(pkg + "SessionData", "getId/0", "getCreated/0", "getMaxInactiveMs/0",
                            "setMaxInactiveMs/1", "getAllAttributes/0", "putAllAttributes/1", "setLastSaved/1",
                            "calcAndSetExpiry/1", "setDirty/1", "isExpiredAt/1")
                    .methods(pkg + "SessionContext", "getContext/0", "getVhost/0")
                    .fields(manager, "_sessionContext")
                    .methods(manager, core ? "getManagedSession/1" : "getHttpSession/1", "isRunning/0",
                            "getSessionCache/0");
            if (core) {
                members.methods(session, "setResident/1");
            }
        }
        return members;
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder, FamilyGate gate) {
        for (String pkg : packagePrefixes()) {
            builder = builder
                    .type(gate.type(named(pkg + "AbstractSessionDataStore")))
                    .transform((b, type, loader, module, domain) -> b
                            .visit(Advice.to(JettyAdvice.Load.class)
                                    .on(named("load").and(takesArguments(String.class)).and(not(isAbstract())))))
                    .type(gate.type(named(pkg + "AbstractSessionCache")))
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
                    .type(gate.type(namedOneOf(pkg + "Session", pkg + "ManagedSession")))
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
                .type(gate.type(named(LEGACY + "SessionHandler")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(JettyAdvice.GetSessionByExtendedId.class)
                                .on(named("getHttpSession").and(takesArguments(String.class)))))
                .type(gate.type(named(CORE + "AbstractSessionManager")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(JettyAdvice.GetSessionByExtendedId.class)
                                .on(named("getManagedSession").and(takesArguments(String.class)))));
        return builder;
    }
}
