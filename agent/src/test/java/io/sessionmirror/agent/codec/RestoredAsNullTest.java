package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An attribute whose class comes back as null (its readResolve refuses to be restored here, as Jetty's
 * SessionAuthentication does when it finds no login service) is reported as dropped, not restored as a null
 * value nor left out without a word.
 */
class RestoredAsNullTest {

    /** Comes back as null, whatever it was. */
    static final class Refuses implements Serializable {
        private static final long serialVersionUID = 1L;

        private Object readResolve() {
            return null;
        }
    }

    @Test
    void anAttributeRestoredAsNullIsReportedAsDropped() throws Exception {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("login", new Refuses());
        attrs.put("theme", "dark");
        SessionData data = new SessionData("ID", 1L, 1800, null, null, attrs);
        SessionCodec codec = new SessionCodec(null, -1, new JavaSerializer());
        byte[] payload = codec.encode(data, SectionsFormatTest.loader(), 2, SectionsFormatTest.KEY).payload;

        Decoded d = codec.decode(payload, SectionsFormatTest.loader(), "ID", SectionsFormatTest.KEY);

        assertEquals("dark", d.data.attributes().get("theme"));
        assertFalse(d.data.attributes().containsKey("login"), "no null value handed to the server");
        assertEquals(1, d.dropped.size(), d.dropped.toString());
        DroppedAttribute dropped = d.dropped.get(0);
        assertEquals("login", dropped.name);
        assertEquals(Refuses.class.getName(), dropped.className);
        assertTrue(dropped.reason.contains("null"), dropped.reason);
    }
}
