package io.sessionmirror.agent.tomcat;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
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
import net.bytebuddy.pool.TypePool;

/** Where the Tomcat advice goes: four classes of org.apache.catalina, the same in 9.0, 10.1 and 11.0. */
public final class TomcatInstrumentation implements ServerFamily {

    /**
     * GlassFish's valve interface, in the web-core.jar of Payara (and GlassFish) beside its Catalina fork: where it
     * is, the {@code org.apache.catalina} classes are the fork's, which the Payara family serves.
     */
    public static final String GLASSFISH_FORK = "org.glassfish.web.valve.GlassFishValve";

    @Override
    public String name() {
        return "Tomcat";
    }

    @Override
    public List<String> packagePrefixes() {
        return List.of("org.apache.catalina.");
    }

    @Override
    public int slot() {
        return TomcatAdvice.SLOT;
    }

    @Override
    public ContainerAdapter adapter(SessionKeys keys) {
        return new TomcatAdapter(keys);
    }

    /** Apache Tomcat, not Payara's fork (see {@link #GLASSFISH_FORK}). */
    @Override
    public boolean recognizes(TypePool pool) {
        return !pool.describe(GLASSFISH_FORK).isResolved();
    }

    /** What {@link TomcatAdapter} and {@link TomcatAdvice} reach by name, all in catalina.jar. */
    @Override
    public RequiredMembers requiredMembers() {
        String session = "org.apache.catalina.session.StandardSession";
        return new RequiredMembers()
                .where("org.apache.catalina.session.ManagerBase")
                .fields("org.apache.catalina.session.ManagerBase", "sessions")
                .methods("org.apache.catalina.session.ManagerBase", "getContext/0", "createEmptySession/0",
                        "findSessions/0", "getJvmRoute/0", "getState/0", "remove/1", "findSession/1")
                .methods("org.apache.catalina.Context", "getPath/0", "getParent/0", "getLoader/0", "getManager/0")
                .methods("org.apache.catalina.Loader", "getClassLoader/0")
                .methods("org.apache.catalina.Container", "getName/0")
                .methods("org.apache.catalina.Engine", "getDefaultHost/0")
                .methods("org.apache.catalina.LifecycleState", "isAvailable/0")
                .fields(session, "attributes", "isValid", "expiring", "principal", "authType", "manager", "id",
                        "maxInactiveInterval")
                .methods(session, "getMaxInactiveInterval/0", "getCreationTimeInternal/0", "getIdleTimeInternal/0",
                        "setNew/1", "setValid/1", "setCreationTime/1", "setMaxInactiveInterval/1", "setAuthType/1",
                        "setPrincipal/1", "setAttribute/3", "removeAttributeInternal/2", "getAttribute/1", "setId/2",
                        "activate/0", "access/0", "endAccess/0", "expire/1")
                .fields("org.apache.catalina.connector.Request", "session")
                .methods("org.apache.catalina.connector.Request", "getContext/0", "changeSessionId/1",
                        "getRequestURI/0")
                .classes("org.apache.catalina.core.StandardHostValve", "org.apache.catalina.session.StandardManager",
                        "org.apache.catalina.session.PersistentManagerBase");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder, FamilyGate gate) {
        return builder
                .type(gate.type(named("org.apache.catalina.session.ManagerBase")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.FindSession.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(gate.type(named(TomcatAdvice.STORE_MANAGER)))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.FindSessionAfterStore.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(gate.type(named("org.apache.catalina.session.StandardSession")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.SetAttribute.class)
                                .on(named("setAttribute").and(takesArguments(3)).and(takesArgument(0, String.class))))
                        .visit(Advice.to(TomcatAdvice.RemoveAttribute.class)
                                .on(named("removeAttributeInternal").and(takesArguments(2))))
                        .visit(Advice.to(TomcatAdvice.GetAttribute.class)
                                .on(named("getAttribute").and(takesArguments(String.class))))
                        .visit(Advice.to(TomcatAdvice.Access.class)
                                .on(named("access").and(takesArguments(0))))
                        .visit(Advice.to(TomcatAdvice.EndAccess.class)
                                .on(named("endAccess").and(takesArguments(0))))
                        .visit(Advice.to(TomcatAdvice.Expire.class)
                                .on(named("expire").and(takesArguments(boolean.class))))
                        .visit(Advice.to(TomcatAdvice.SetId.class)
                                .on(named("setId").and(takesArguments(String.class, boolean.class)))))
                .type(gate.type(named("org.apache.catalina.core.StandardHostValve")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.HostValveInvoke.class)
                                .on(named("invoke").and(takesArguments(2)))));
    }
}
