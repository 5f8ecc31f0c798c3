package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents every key with its default; this keeps the two from drifting apart. */
class OptionDocsTest {

    @Test
    void everyOptionIsDocumentedWithItsDefault() throws Exception {
        Path doc = Paths.get("..", "docs", "configuration.md");
        String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
        for (Option o : Option.values()) {
            assertTrue(text.contains("| `" + o.key() + "` |"), "docs/configuration.md has no row for " + o.key());
            if (o.defaultValue() != null) {
                assertTrue(text.contains("| `" + o.key() + "` | `" + o.defaultValue() + "` |"),
                        "docs/configuration.md does not give the default of " + o.key() + " as `" + o.defaultValue() + "`");
            }
            assertTrue(text.contains(o.environmentVariable()) || o == Option.NODES || text.contains("SESSIONMIRROR_<KEY>"),
                    o.key());
        }
    }
}
