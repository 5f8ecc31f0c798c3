package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.config.ConfigException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolArgsTest {

    private static final Set<String> OWN = Set.of("app", "host", "classpath", "sample");

    @Test
    void separatesTheIdTheToolsOptionsFlagsAndTheAgentsOptions() {
        ToolArgs a = ToolArgs.parse(List.of("ABC123", "nodes=a:11211,b:11211", "app=/shop", "--values",
                "secret=s3cr3t-long-enough", "classpath=/tmp/x.war"), OWN, Set.of("--values"), 1);
        assertEquals(List.of("ABC123"), a.positional);
        assertEquals("/shop", a.own("app"));
        assertEquals("/tmp/x.war", a.own("classpath"));
        assertTrue(a.has("--values"));
        assertEquals("nodes=a:11211,b:11211,secret=s3cr3t-long-enough", a.agentOptions);
    }

    @Test
    void aListValueContinuesAcrossWordsAsInTheAgentsString() {
        ToolArgs a = ToolArgs.parse(List.of("shop.war", "nodes=a:11211", "b:11211", "app=/"), OWN, Set.of(), 1);
        assertEquals("nodes=a:11211,b:11211", a.agentOptions);
        assertEquals("shop.war", a.positional.get(0));
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThrows(ConfigException.class, () -> ToolArgs.parse(List.of("id", "--valuez"), OWN, Set.of("--values"), 1));
        assertThrows(ConfigException.class, () -> ToolArgs.parse(List.of("nodes=a:1"), OWN, Set.of(), 1));
        assertThrows(ConfigException.class, () -> ToolArgs.parse(List.of("id", "app=/a", "app=/b"), OWN, Set.of(), 1));
        ToolArgs a = ToolArgs.parse(List.of("w", "sample=0"), OWN, Set.of(), 1);
        assertThrows(ConfigException.class, () -> a.positive("sample", 100));
        assertEquals(100, ToolArgs.parse(List.of("w"), OWN, Set.of(), 1).positive("sample", 100));
        assertEquals(7, ToolArgs.parse(List.of("w", "sample=7"), OWN, Set.of(), 1).positive("sample", 100));
    }

    @Test
    void theNamespaceIsTheAgentsForTheDefaultHostAndForAVirtualHost() {
        ToolContext root = ToolContext.of(ToolArgs.parse(List.of("w", "nodes=a:11211", "app=/"), OWN, Set.of(), 1));
        assertEquals("sm:_:/:", root.namespace);
        ToolContext shop = ToolContext.of(ToolArgs.parse(List.of("w", "nodes=a:11211", "app=/shop/", "host=www.example.com",
                "prefix=p"), OWN, Set.of(), 1));
        assertEquals("p:www.example.com:/shop:", shop.namespace);
        assertEquals("p:www.example.com:/shop:ABC", shop.key("ABC.tomcatA"), "the route is not part of the key");
        assertThrows(ConfigException.class, () -> ToolContext.of(ToolArgs.parse(List.of("w", "nodes=a:11211"), OWN,
                Set.of(), 1)));
        assertThrows(ConfigException.class, () -> ToolContext.of(ToolArgs.parse(List.of("w", "nodes=a:11211", "app=shop"),
                OWN, Set.of(), 1)));
    }
}
