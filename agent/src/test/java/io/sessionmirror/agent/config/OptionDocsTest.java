package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents every key of {@link Option} with its default; this keeps the two in step. */
class OptionDocsTest {

    private static String doc() throws Exception {
        return new String(Files.readAllBytes(Paths.get("..", "docs", "configuration.md")), StandardCharsets.UTF_8);
    }

    @Test
    void everyOptionIsDocumentedWithItsDefault() throws Exception {
        String text = doc();
        for (Option<?> o : Option.values()) {
            assertTrue(text.contains("| `" + o.key() + "` |"), "docs/configuration.md has no row for " + o.key());
            if (o.defaultValue() != null) {
                assertTrue(text.contains("| `" + o.key() + "` | `" + o.defaultValue() + "` |"),
                        "docs/configuration.md does not give the default of " + o.key() + " as `" + o.defaultValue() + "`");
            }
        }
    }

    @Test
    void everyDocumentedKeyExists() throws Exception {
        Matcher row = Pattern.compile("(?m)^\\| `([a-z.]+)` \\| ").matcher(doc());
        int rows = 0;
        while (row.find()) {
            rows++;
            assertNotNull(Option.forKey(row.group(1)), "docs/configuration.md documents an unknown key " + row.group(1));
        }
        assertEquals(Option.values().length, rows, "one row per key");
    }

    @Test
    void theEnvironmentVariableListNamesEveryKeysVariableInOrder() throws Exception {
        String text = doc();
        int start = text.indexOf("Environment variables: ");
        assertTrue(start >= 0, "docs/configuration.md lists the environment variables");
        String list = text.substring(start, text.indexOf(". Any other variable", start));
        List<String> documented = new ArrayList<>();
        Matcher v = Pattern.compile("`(SESSIONMIRROR_[A-Z_]+)`").matcher(list);
        while (v.find()) {
            documented.add(v.group(1));
        }
        List<String> expected = new ArrayList<>();
        for (Option<?> o : Option.values()) {
            expected.add(o.environmentVariable());
        }
        assertEquals(expected, documented);
    }
}
