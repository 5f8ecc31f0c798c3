package io.sessionmirror.it;

import java.nio.file.Path;

/** The same Spring Boot shop built with spring-boot-starter-undertow instead of Tomcat. */
class SpringBootUndertowFailoverIT extends AbstractSpringBootFailoverIT {
    @Override
    protected Path jar() {
        return Servers.path("bootUndertowJar");
    }

    @Override
    protected String serverArtifact() {
        return "undertow-core";
    }

    @Override
    protected String serverName() {
        return "embedded Undertow";
    }
}
