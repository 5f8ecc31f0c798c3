package io.sessionmirror.agent.tomcat;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.sessionmirror.agent.ServerFamily;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.SessionKeys;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/** Where the Tomcat advice goes: four classes of org.apache.catalina, the same in 9.0, 10.1 and 11.0. */
public final class TomcatInstrumentation implements ServerFamily {

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

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder
                .type(named("org.apache.catalina.session.ManagerBase"))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.FindSession.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(named(TomcatAdvice.STORE_MANAGER))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.FindSessionAfterStore.class)
                                .on(named("findSession").and(takesArguments(String.class)).and(not(isAbstract())))))
                .type(named("org.apache.catalina.session.StandardSession"))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.SetAttribute.class)
                                .on(named("setAttribute").and(takesArguments(3)).and(takesArgument(0, String.class))))
                        .visit(Advice.to(TomcatAdvice.RemoveAttribute.class)
                                .on(named("removeAttributeInternal").and(takesArguments(2))))
                        .visit(Advice.to(TomcatAdvice.GetAttribute.class)
                                .on(named("getAttribute").and(takesArguments(String.class))))
                        .visit(Advice.to(TomcatAdvice.EndAccess.class)
                                .on(named("endAccess").and(takesArguments(0))))
                        .visit(Advice.to(TomcatAdvice.Expire.class)
                                .on(named("expire").and(takesArguments(boolean.class))))
                        .visit(Advice.to(TomcatAdvice.SetId.class)
                                .on(named("setId").and(takesArguments(String.class, boolean.class)))))
                .type(named("org.apache.catalina.core.StandardHostValve"))
                .transform((b, type, loader, module, domain) -> b
                        .visit(Advice.to(TomcatAdvice.HostValveInvoke.class)
                                .on(named("invoke").and(takesArguments(2)))));
    }
}
