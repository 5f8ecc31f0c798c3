package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectOutputTest {

    private static PayloadView view() {
        PayloadView v = new PayloadView();
        v.format = 5;
        v.serializer = "fst";
        v.version = 12;
        v.writeId = 0x1234L;
        v.parentWriteId = 0xabcdL;
        v.writtenAt = 1_700_000_000_000L;
        v.creationTime = 1_699_999_000_000L;
        v.maxInactive = 1800;
        v.authType = "FORM";
        v.signed = true;
        v.encrypted = true;
        v.keyId = 0x2a;
        v.keyIdKnown = true;
        v.size = 812;
        v.rows.add(new PayloadView.Row("(principal)", "org.apache.catalina.realm.GenericPrincipal", "principal", 3, 90));
        v.rows.add(new PayloadView.Row("cart", "com.shop.Cart", "attribute", 12, 311));
        v.rows.add(new PayloadView.Row("old", "", "removed", 9, 0));
        v.rows.add(new PayloadView.Row("password", "java.lang.String", "attribute", 2, 14));
        return v;
    }

    private static String print(PayloadView v, Map<String, String> values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, true, StandardCharsets.UTF_8);
        InspectOutput.header(out, v, 1_700_000_003_000L);
        InspectOutput.sections(out, v, values);
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheHeaderAndTheSectionsWithoutValues() {
        String text = print(view(), null);
        assertTrue(text.contains("version        12"), text);
        assertTrue(text.contains("write id       0000000000001234"), text);
        assertTrue(text.contains("parent write   000000000000abcd"), text);
        assertTrue(text.contains("2023-11-14T22:13:20Z (3 s ago)"), text);
        assertTrue(text.contains("1800 s"), text);
        assertTrue(text.contains("812 bytes (signed, encrypted, not compressed, key id 2a)"), text);
        assertTrue(text.contains("Attributes (2):"), text);
        assertTrue(text.matches("(?s).*cart\\s+com\\.shop\\.Cart\\s+311 bytes  stamp 12.*"), text);
        assertTrue(text.contains("old  at version 9"), text);
        assertFalse(text.contains(" = "), "no values unless asked: " + text);
    }

    @Test
    void valuesAreMaskedWhenTheyLookSecretAndThePrincipalIsItsName() {
        Map<String, String> values = new HashMap<>();
        values.put("cart", "[apple]");
        values.put("password", "hunter2");
        values.put("(principal)", "name alice");
        String text = print(view(), values);
        assertTrue(text.contains("= [apple]"), text);
        assertTrue(text.contains("= ****"), text);
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains("= name alice"), text);
    }
}
