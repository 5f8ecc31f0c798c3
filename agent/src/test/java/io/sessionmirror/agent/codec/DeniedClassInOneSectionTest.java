package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sessionmirror.agent.security.ClassFilter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A class the filter denies refuses the whole copy (a security signal), not just its section: directly as an
 * attribute, nested in a collection, and after an attribute that decoded fine; with either serializer, and again
 * on a second decode (nothing cached from the first lets it through).
 */
class DeniedClassInOneSectionTest {

    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        String payload = "x";
    }

    static final List<String> DENY = List.of(Gadget.class.getName());

    @Test
    void aDeniedClassRefusesTheWholeCopyWithEitherSerializer() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        Serializer[][] pairs = {
            {new JavaSerializer(), new JavaSerializer(new ClassFilter(null, DENY))},
            {new FstSerializer(), new FstSerializer(new ClassFilter(null, DENY))},
        };
        for (Serializer[] pair : pairs) {
            SessionCodec writer = new SessionCodec(null, -1, pair[0]);
            SessionCodec reader = new SessionCodec(null, -1, pair[1]);
            for (Object value : new Object[] {new Gadget(), new ArrayList<>(List.of("a", new Gadget()))}) {
                Map<String, Object> attrs = new HashMap<>();
                attrs.put("a-fine", "fine");
                attrs.put("b-gadget", value);
                byte[] p = writer.encode(new SessionData("ID", 1L, 60, null, null, attrs), loader, 1, "k").payload;
                for (int i = 0; i < 2; i++) {
                    assertThrows(RejectedPayloadException.class, () -> reader.decode(p, loader, "ID", "k"),
                            pair[1].name() + " " + value.getClass().getSimpleName());
                }
            }
        }
    }
}
