package io.sessionmirror.agent.core;

import io.sessionmirror.agent.support.RequiredMembers;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * One family of servers (Tomcat, Jetty, Undertow): its advice, its adapter, its bridge slot, and the server
 * members its adapter needs. It lives in core, beside {@link ContainerAdapter}, so the family packages depend
 * on core only; the agent's installer picks the families, and nothing in a family knows the installer.
 */
public interface ServerFamily {

    /** The name an operator knows the server by ("Tomcat"), as the logs use it. */
    String name();

    /** The bridge slot its advice calls; unique per family. */
    int slot();

    ContainerAdapter adapter(SessionKeys keys);

    /** The package prefixes of every class this family instruments; everything else is ignored cheaply. */
    List<String> packagePrefixes();

    /**
     * Whether the server classes {@code pool} reads (those of one class loader) are this family's server at all, and
     * not another's that shares its package names (Apache Tomcat and Payara's Catalina fork): where not, the family
     * leaves them alone without a word, as the other family is the one at work there.
     */
    default boolean recognizes(TypePool pool) {
        return true;
    }

    /**
     * Every server member the adapter reaches by reflection on its main path, and the classes they belong to;
     * a server that lacks one is left alone (see {@link FamilyGate}).
     */
    RequiredMembers requiredMembers();

    /**
     * Adds this family's type matchers and advice. Each type is matched through {@code gate}
     * ({@link FamilyGate#type}), which admits a class only where the family's members and the bootstrap bridge
     * are there.
     */
    AgentBuilder instrument(AgentBuilder builder, FamilyGate gate);
}
