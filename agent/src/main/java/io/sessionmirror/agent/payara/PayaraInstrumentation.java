package io.sessionmirror.agent.payara;

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
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.pool.TypePool;

/**
 * Where the advice goes in Payara's Catalina fork: web-core.jar of Payara Micro and Payara Server 6 and 7 (its
 * session classes are Tomcat's of old, its request path GlassFish's). The fork is told from Apache Tomcat by
 * GlassFish's valve interface in the same jar ({@link TomcatInstrumentation#GLASSFISH_FORK}): each of the two
 * families works only in the one it recognizes, and says nothing about the other.
 */
public final class PayaraInstrumentation implements ServerFamily {

    @Override
    public String name() {
        return "Payara";
    }

    @Override
    public List<String> packagePrefixes() {
        return List.of("org.apache.catalina.");
    }

    @Override
    public int slot() {
        return PayaraAdvice.SLOT;
    }

    @Override
    public ContainerAdapter adapter(SessionKeys keys) {
        return new PayaraAdapter(keys);
    }

    @Override
    public boolean recognizes(TypePool pool) {
        return pool.describe(TomcatInstrumentation.GLASSFISH_FORK).isResolved();
    }

    /** What {@link PayaraAdapter} (with what it shares of the Tomcat adapter) and {@link PayaraAdvice} reach. */
    @Override
    public RequiredMembers requiredMembers() {
        String session = "org.apache.catalina.session.StandardSession";
        String request = "org.apache.catalina.connector.Request";
        return new RequiredMembers()
                .where("org.apache.catalina.session.ManagerBase")
                .fields("org.apache.catalina.session.ManagerBase", "sessions")
                .fields("org.apache.catalina.session.StandardManager", "started")
                .fields("org.apache.catalina.session.PersistentManagerBase", "started")
                .methods("org.apache.catalina.session.ManagerBase", "getContainer/0", "createEmptySession/0",
                        "findSessions/0", "getJvmRoute/0", "remove/1", "add/1", "findSession/1")
                .methods("org.apache.catalina.Context", "getPath/0", "getParent/0", "getLoader/0")
                .methods("org.apache.catalina.Loader", "getClassLoader/0")
                .methods("org.apache.catalina.Container", "getName/0")
                .methods("org.apache.catalina.Engine", "getDefaultHost/0", "getService/0")
                .methods("org.apache.catalina.Service", "findConnectors/0")
                .methods("org.apache.catalina.Connector", "getDefaultHost/0")
                .fields(session, "attributes", "isValid", "expiring", "principal", "authType", "manager", "id",
                        "maxInactiveInterval", "creationTime")
                .methods(session, "getMaxInactiveInterval/0", "hasExpired/0", "setNew/1", "setValid/1",
                        "setCreationTime/1", "setMaxInactiveInterval/1", "setAuthType/1", "setPrincipal/1",
                        "setAttribute/2", "removeAttribute/3", "getAttribute/1", "setId/1", "activate/0", "access/0",
                        "endAccess/0", "expire/2")
                .fields(request, "session")
                .methods(request, "getRequestURI/0")
                .methods("org.apache.catalina.connector.CoyoteAdapter", "doService/5")
                .classes(TomcatInstrumentation.GLASSFISH_FORK, "org.apache.catalina.session.StandardManager",
                        "org.apache.catalina.session.PersistentManagerBase");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder, FamilyGate gate) {
        return builder
                .type(gate.type(named("org.apache.catalina.session.ManagerBase")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(PayaraAdvice.FindSession.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(gate.type(named(PayaraAdvice.STORE_MANAGER)))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(PayaraAdvice.FindSessionAfterStore.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(gate.type(named("org.apache.catalina.session.StandardSession")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(PayaraAdvice.AttributeWritten.class)
                                .on(named("setAttribute").and(takesArguments(String.class, Object.class))))
                        .visit(Advice.to(PayaraAdvice.AttributeWritten.class)
                                .on(named("removeAttribute").and(takesArguments(String.class, boolean.class,
                                        boolean.class))))
                        .visit(Advice.to(PayaraAdvice.GetAttribute.class)
                                .on(named("getAttribute").and(takesArguments(String.class))))
                        .visit(Advice.to(PayaraAdvice.Access.class)
                                .on(named("access").and(takesArguments(0))))
                        .visit(Advice.to(PayaraAdvice.EndAccess.class)
                                .on(named("endAccess").and(takesArguments(0))))
                        .visit(Advice.to(PayaraAdvice.Expire.class)
                                .on(named("expire").and(takesArguments(boolean.class, boolean.class))))
                        .visit(Advice.to(PayaraAdvice.SetId.class)
                                .on(named("setId").and(takesArguments(String.class)))))
                .type(gate.type(named("org.apache.catalina.connector.CoyoteAdapter")))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(PayaraAdvice.DoService.class)
                                .on(named("doService").and(takesArguments(5)).and(takesArgument(4, boolean.class)))));
    }
}
