package io.sessionmirror.agent;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.SessionKeys;
import net.bytebuddy.agent.builder.AgentBuilder;

/** One family of servers (Tomcat, later Jetty and Undertow): its advice, its adapter, its bridge slot. */
public interface ServerFamily {

    /** The bridge slot its advice calls; unique per family. */
    int slot();

    ContainerAdapter adapter(SessionKeys keys);

    /** The package prefix of every class this family instruments; everything else is ignored cheaply. */
    String packagePrefix();

    /** Adds this family's type matchers and advice. */
    AgentBuilder instrument(AgentBuilder builder);
}
