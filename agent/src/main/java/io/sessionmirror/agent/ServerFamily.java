package io.sessionmirror.agent;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.SessionKeys;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;

/** One family of servers (Tomcat, Jetty, Undertow): its advice, its adapter, its bridge slot. */
public interface ServerFamily {

    /** The bridge slot its advice calls; unique per family. */
    int slot();

    ContainerAdapter adapter(SessionKeys keys);

    /** The package prefixes of every class this family instruments; everything else is ignored cheaply. */
    List<String> packagePrefixes();

    /** Adds this family's type matchers and advice. */
    AgentBuilder instrument(AgentBuilder builder);
}
