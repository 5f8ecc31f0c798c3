package io.sessionmirror.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Redisson's Tomcat session manager set up as its README (redisson-tomcat/README.md) tells its users: a
 * {@code <Manager className="org.redisson.tomcat.RedissonSessionManager" configPath=...>} in the context.xml, a
 * Redisson YAML config naming the one Redis server, and Redisson's jars on Tomcat's class path (the benchmark adds
 * them). Everything else is Redisson's default (codec, connection pools, timeouts).
 * <p>
 * Two modes. {@code readMode="REDIS" updateMode="DEFAULT"} is what the README shows and names the default: every
 * attribute read goes to Redis, and only {@code setAttribute} writes one. The demo shop, like most applications,
 * changes its cart in place after {@code getAttribute} and never sets it again, and in that mode such a change
 * never reaches Redis. For that case the README gives {@code readMode="MEMORY" updateMode="AFTER_REQUEST"}: every
 * attribute is written to Redis after each request (and, by default, published to the other Tomcats).
 */
final class RedissonSetup {

    private RedissonSetup() {
    }

    /** Writes redisson.yaml and context.xml into {@code dir}; returns the context.xml. */
    static Path write(Path dir, int redisPort, boolean memoryAfterRequest) throws IOException {
        Path yaml = dir.resolve("redisson.yaml");
        Files.write(yaml, yaml(redisPort).getBytes(StandardCharsets.UTF_8));
        Path xml = dir.resolve("context.xml");
        Files.write(xml, contextXml(yaml, memoryAfterRequest).getBytes(StandardCharsets.UTF_8));
        return xml;
    }

    static String yaml(int redisPort) {
        return "singleServerConfig:\n  address: \"redis://127.0.0.1:" + redisPort + "\"\n";
    }

    static String contextXml(Path yaml, boolean memoryAfterRequest) {
        return "<Context>\n  <Manager className=\"org.redisson.tomcat.RedissonSessionManager\"\n"
                + "    configPath=\"" + yaml.toAbsolutePath() + "\"\n"
                + (memoryAfterRequest ? "    readMode=\"MEMORY\" updateMode=\"AFTER_REQUEST\""
                        : "    readMode=\"REDIS\" updateMode=\"DEFAULT\"")
                + " broadcastSessionEvents=\"false\" keyPrefix=\"\"/>\n</Context>\n";
    }
}
