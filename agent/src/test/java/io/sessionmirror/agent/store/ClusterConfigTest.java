package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The auto discovery answer, as ElastiCache documents it, and what is refused. */
class ClusterConfigTest {

    private static ClusterConfig read(String answer) throws IOException {
        return ClusterConfig.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String answer(String header, String value) {
        return header + " " + value.length() + "\r\n" + value + "\r\nEND\r\n";
    }

    private static String malformed(String answer) {
        return assertThrows(IOException.class, () -> read(answer)).getMessage();
    }

    @Test
    void readsTheConfigGetClusterAnswer() throws IOException {
        String value = "12\nmy.0001.use1.cache.amazonaws.com|10.82.235.120|11211"
                + " my.0002.use1.cache.amazonaws.com|10.80.249.27|11212\n";
        ClusterConfig c = read(answer("CONFIG cluster 0", value));
        assertEquals(12, c.version);
        assertEquals(Arrays.asList(new NodeAddress("my.0001.use1.cache.amazonaws.com", 11211),
                new NodeAddress("my.0002.use1.cache.amazonaws.com", 11212)), c.nodes);
    }

    @Test
    void anEntryWithoutHostNameIsAddressedByItsIp() throws IOException {
        ClusterConfig c = read(answer("CONFIG cluster 0", "3\n|10.0.0.3|11211 |10.0.0.4|11211\n"));
        assertEquals(Arrays.asList(new NodeAddress("10.0.0.3", 11211), new NodeAddress("10.0.0.4", 11211)), c.nodes);
    }

    @Test
    void readsTheLegacyGetAnswerAndSaysWhenTheCommandIsUnknown() throws IOException {
        ClusterConfig c = read(answer("VALUE AmazonElastiCache:cluster 0", "7\nh|127.0.0.1|1\n"));
        assertEquals(7, c.version);
        assertEquals(Arrays.asList(new NodeAddress("h", 1)), c.nodes);
        assertNull(read("ERROR\r\n"), "ERROR: fall back to the legacy command");
    }

    @Test
    void anEmptyListIsAnAnswer() throws IOException {
        assertEquals(0, read(answer("CONFIG cluster 0", "4\n\n")).nodes.size());
    }

    @Test
    void malformedAnswersAreRefusedWhole() {
        assertTrue(malformed("END\r\n").contains("no cluster configuration"));
        assertTrue(malformed("SERVER_ERROR out of memory\r\n").contains("unexpected answer"));
        assertTrue(malformed("CONFIG cluster 0 x\r\n").contains("unexpected answer"));
        assertTrue(malformed("CONFIG cluster 0 99999999\r\n").contains("unexpected answer"));
        assertTrue(malformed("CONFIG cluster 0 40\r\n1\nh|1.2.3.4|1\n").contains("ended after"));
        assertTrue(malformed("CONFIG cluster 0 14\r\n1\nh|1.2.3.4|1\n").contains("connection closed"));
        assertTrue(malformed("CONFIG cluster 0 12\r\n1\nh|1.2.3.4|1\n\r\nNOPE\r\n").contains("does not end with END"));
        assertTrue(malformed(answer("CONFIG cluster 0", "v1\nh|1.2.3.4|1\n")).contains("version number"));
        assertTrue(malformed(answer("CONFIG cluster 0", "1\nh|1.2.3.4\n")).contains("is not host|ip|port"));
        assertTrue(malformed(answer("CONFIG cluster 0", "1\nh|1.2.3.4|0\n")).contains("is not host|ip|port"));
        assertTrue(malformed(answer("CONFIG cluster 0", "1\nh|1.2.3.4|70000\n")).contains("is not host|ip|port"));
        assertTrue(malformed(answer("CONFIG cluster 0", "1\n||11211\n")).contains("names no host or IP"));
        assertTrue(malformed(answer("CONFIG cluster 0", "1\nh/x|1.2.3.4|1\n")).contains("names no host or IP"));
        // one bad entry among good ones: nothing is taken from a half-understood list
        assertTrue(malformed(answer("CONFIG cluster 0", "1\na|1.2.3.4|1 b|1.2.3.5\n")).contains("'b|1.2.3.5'"));
        assertTrue(malformed("x".repeat(2000) + "\r\n").contains("longer than"));
    }
}
