package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One attribute that overflows the stack while it is read (nested too deeply for this thread, or a readObject
 * that recurses) costs that attribute only: the stack has unwound by the time the decoder sees it, so the login
 * and the other attributes are restored, as for any other attribute that does not read.
 */
class TooDeepAttributeTest {

    /** Overflows the stack when read, as a graph nested deeper than the thread's stack would. */
    static final class Bottomless implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            descend(0);
        }

        private static int descend(int depth) {
            return descend(depth + 1) + 1;
        }
    }

    /** A serializable login. */
    static final class User implements Principal, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "alice";
        }
    }

    @Test
    void anAttributeThatOverflowsTheStackIsDroppedAloneAndTheLoginStays() throws Exception {
        for (Serializer serializer : new Serializer[] {new JavaSerializer(), new FstSerializer()}) {
            Map<String, Object> attrs = new HashMap<>();
            attrs.put("deep", new Bottomless());
            attrs.put("theme", "dark");
            SessionData data = new SessionData("ID", 1L, 1800, "FORM", new User(), attrs);
            SessionCodec codec = new SessionCodec(null, -1, serializer);
            byte[] payload = codec.encode(data, SectionsFormatTest.loader(), 2, SectionsFormatTest.KEY).payload;

            Decoded d = codec.decode(payload, SectionsFormatTest.loader(), "ID", SectionsFormatTest.KEY);

            String which = serializer.name() + ": ";
            assertEquals("alice", d.data.principal().getName(), which + "the login is restored");
            assertEquals("dark", d.data.attributes().get("theme"), which);
            assertFalse(d.data.attributes().containsKey("deep"), which);
            assertEquals(1, d.dropped.size(), which + d.dropped);
            assertEquals("deep", d.dropped.get(0).name, which);
            assertTrue(d.dropped.get(0).reason.contains("too deeply"), which + d.dropped.get(0).reason);
        }
    }
}
