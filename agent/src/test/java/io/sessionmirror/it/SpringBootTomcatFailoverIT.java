package io.sessionmirror.it;

import java.nio.file.Path;

/** The Spring Boot shop on its default embedded Tomcat. */
class SpringBootTomcatFailoverIT extends AbstractSpringBootFailoverIT {
    @Override
    protected Path jar() {
        return Servers.path("bootTomcatJar");
    }

    @Override
    protected String serverArtifact() {
        return "tomcat-embed-core";
    }

    @Override
    protected String serverName() {
        return "embedded Tomcat";
    }
}
