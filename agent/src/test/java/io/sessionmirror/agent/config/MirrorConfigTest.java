package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorConfigTest {

    private static MirrorConfig load(String options) {
        return MirrorConfig.load(options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options) {
        return error(options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options, Properties props, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> MirrorConfig.load(options, props, env));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("session-mirror: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theAgentsOwnStatePropertiesAreNotReadAsConfiguration() {
        // A second attach loads the configuration again in a JVM where the agent has published its state.
        Properties props = new Properties();
        for (String state : new String[] {io.sessionmirror.agent.AgentInstaller.STATE_VERSION,
            io.sessionmirror.agent.AgentInstaller.STATE_OPTIONS, io.sessionmirror.agent.AgentInstaller.STATE_EXPORT,
            io.sessionmirror.agent.AgentInstaller.STATE_RECONFIGURED, io.sessionmirror.agent.AgentInstaller.STATE_WEBAPPS}) {
            props.setProperty(state, "x");
        }
        MirrorConfig c = MirrorConfig.load("nodes=mc1:11211", props, Collections.emptyMap());
        assertEquals("[mc1:11211]", c.nodes().toString());
    }

    @Test
    void listValueContinuesAfterCommas() {
        MirrorConfig c = load("nodes=10.0.0.5:11211,10.0.0.6:11212,write=sync");
        assertEquals(Arrays.asList(new NodeAddress("10.0.0.5", 11211), new NodeAddress("10.0.0.6", 11212)), c.nodes());
        assertEquals(MirrorConfig.WriteMode.SYNC, c.writeMode());
    }

    @Test
    void semicolonsSeparatePairsToo() {
        MirrorConfig c = load("nodes=a:1;b:2;serializer=java;timeout=250");
        assertEquals(2, c.nodes().size());
        assertEquals(MirrorConfig.SerializerChoice.JAVA, c.serializer());
        assertEquals(250, c.timeoutMillis());
    }

    @Test
    void defaults() {
        MirrorConfig c = load("nodes=mc");
        assertEquals(Collections.singletonList(new NodeAddress("mc", 11211)), c.nodes());
        assertTrue(c.enabled());
        assertEquals(MirrorConfig.WriteMode.ASYNC, c.writeMode());
        assertEquals(MirrorConfig.SerializerChoice.JAVA, c.serializer());
        assertEquals("sm", c.prefix());
        assertEquals(1000, c.timeoutMillis());
        assertEquals(10000, c.queueCapacity());
        assertEquals("info", c.logLevel());
        assertEquals("default", c.sourceOf(Option.WRITE));
    }

    @Test
    void ipv6NodesInBrackets() {
        assertEquals(new NodeAddress("::1", 11300), load("nodes=[::1]:11300").nodes().get(0));
        assertTrue(error("nodes=::1:11211").contains("'::1:11211' is not host:port"));
    }

    @Test
    void unknownKeyNamesItAndSuggests() {
        String m = error("nodes=a:1,wrte=sync");
        assertTrue(m.contains("unknown option 'wrte'"), m);
        assertTrue(m.contains("did you mean 'write'"), m);
        assertTrue(m.contains("-javaagent options"), m);
        assertTrue(m.contains("known options: nodes, enabled, write"), m);
    }

    @Test
    void malformedValuesNameKeyValueAndWhatIsAccepted() {
        assertEquals("session-mirror: invalid value 'maybe' for option 'write' in -javaagent options; expected async or sync",
                error("nodes=a:1,write=maybe"));
        assertTrue(error("nodes=a:1,timeout=fast").contains("'fast' for option 'timeout'"));
        assertTrue(error("nodes=a:1,timeout=5").contains("out of range"));
        assertTrue(error("nodes=a:1,serializer=kryo").contains("expected fst or java"));
        assertTrue(error("nodes=a:1,enabled=yes").contains("expected true or false"));
        assertTrue(error("nodes=a:1,prefix=has space").contains("option 'prefix'"));
        assertTrue(error("nodes=a:99999").contains("'a:99999' is not host:port"));
        assertTrue(error("nodes=a:1,log=verbose").contains("expected off, error, warn, info, debug or trace"));
    }

    @Test
    void segmentWithoutEqualsAfterScalarKeyIsAnError() {
        String m = error("nodes=a:1,write=sync,b:2");
        assertTrue(m.contains("'b:2'") && m.contains("'write' takes one value"), m);
        assertTrue(error("x").contains("is not key=value"));
        assertTrue(error("nodes=a:1,nodes=b:2").contains("given twice"));
    }

    @Test
    void nodesAreRequiredUnlessDisabled() {
        assertTrue(error("write=sync").contains("option 'nodes' is required"));
        assertTrue(error("").contains("option 'nodes' is required"));
        assertFalse(load("enabled=false").enabled());
    }

    @Test
    void precedenceOptionsThenSystemPropertiesThenEnvironmentThenFileThenDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mirror.properties");
        Files.write(file, Arrays.asList("nodes=file:1", "write=sync", "prefix=fromfile", "timeout=300", "queue=7"));
        Properties props = new Properties();
        props.setProperty("sessionmirror.prefix", "fromprop");
        props.setProperty("sessionmirror.timeout", "400");
        props.setProperty("unrelated.key", "ignored");
        Map<String, String> env = new HashMap<>();
        env.put("SESSIONMIRROR_TIMEOUT", "500");
        env.put("SESSIONMIRROR_QUEUE", "8");
        env.put("SESSIONMIRROR_CONFIG", file.toString());
        env.put("PATH", "/bin");
        MirrorConfig c = MirrorConfig.load("timeout=600", props, env);
        assertEquals(600, c.timeoutMillis());                     // options beat -D, env, file
        assertEquals("fromprop", c.prefix());                    // -D beats file
        assertEquals(8, c.queueCapacity());                      // env beats file
        assertEquals(MirrorConfig.WriteMode.SYNC, c.writeMode()); // file beats default
        assertEquals("file", c.nodes().get(0).host());
        assertEquals("info", c.logLevel());                      // default
        assertEquals("system property -Dsessionmirror.prefix", c.sourceOf(Option.PREFIX));
        assertEquals("environment variable SESSIONMIRROR_QUEUE", c.sourceOf(Option.QUEUE));
    }

    @Test
    void unknownKeysInEverySourceAreErrors(@TempDir Path dir) throws Exception {
        Properties props = new Properties();
        props.setProperty("sessionmirror.nodez", "a:1");
        assertTrue(error("nodes=a:1", props, Collections.emptyMap())
                .contains("unknown option 'nodez' in system property -Dsessionmirror.nodez"));
        assertTrue(error("nodes=a:1", new Properties(), Collections.singletonMap("SESSIONMIRROR_TIMEOUTS", "1"))
                .contains("unknown option 'timeouts' in environment variable SESSIONMIRROR_TIMEOUTS"));
        Path file = dir.resolve("bad.properties");
        Files.write(file, Collections.singletonList("serialiser=java"));
        assertTrue(error("nodes=a:1,config=" + file).contains("unknown option 'serialiser' in config file"));
        assertTrue(error("nodes=a:1,config=" + dir.resolve("missing.properties")).contains("cannot read it"));
    }

    @Test
    void envBadValueNamesTheVariable() {
        String m = error("nodes=a:1", new Properties(), Collections.singletonMap("SESSIONMIRROR_WRITE", "later"));
        assertEquals("session-mirror: invalid value 'later' for option 'write' in environment variable SESSIONMIRROR_WRITE;"
                + " expected async or sync", m);
    }

    @Test
    void failureOptionsAreCheckedAgainstEachOther() {
        MirrorConfig c = load("nodes=a:1,b:2,c:3,replicas=2,mode=non-sticky,lock=uri:/cart/.*,lock.wait=500,route=w1");
        assertEquals(2, c.replicas());
        assertEquals(MirrorConfig.Mode.NON_STICKY, c.mode());
        assertTrue(c.lock().matcher("/cart/add").matches());
        assertFalse(c.lock().matcher("/shop").matches());
        assertEquals(500, c.lockWaitMillis());
        assertEquals("w1", c.route());
        assertEquals(MirrorConfig.Mode.STICKY, load("nodes=a:1").mode());
        assertEquals(null, load("nodes=a:1,mode=non-sticky").lock());

        String tooMany = error("nodes=a:1,b:2,replicas=2");
        assertTrue(tooMany.contains("'replicas'") && tooMany.contains("3 copies need at least 3 nodes; 'nodes' lists 2"),
                tooMany);
        String sticky = error("nodes=a:1,lock=all");
        assertTrue(sticky.contains("locks need mode=non-sticky"), sticky);
        String regex = error("nodes=a:1,mode=non-sticky,lock=uri:[unclosed");
        assertTrue(regex.contains("not a regular expression") && regex.contains("none, all or uri:"), regex);
        assertTrue(error("nodes=a:1,mode=sometimes").contains("expected sticky or non-sticky"));
        assertTrue(error("nodes=a:1,route=a.b").contains("'route'"));
        assertTrue(error("nodes=a:1,replicas=-1").contains("'replicas'"));
    }
}
