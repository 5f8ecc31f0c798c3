package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionmirror.agent.codec.SessionCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that read one mutable attribute is checked for that attribute alone; but the session's timeout is
 * part of what is stored too, and the containers tell no change of it: a request that reads the cart and extends
 * the timeout must still be written (before the check by name, the read of the cart made it a full snapshot).
 */
class ReadOfOneAttributeMissesOtherChangesTest {

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTimeoutChangedByARequestThatReadOneMutableAttributeIsWritten(boolean sync) throws Exception {
        MirrorFixture.Options o = new MirrorFixture.Options();
        f = MirrorFixture.async(sync ? o.sync() : o);
        String id = "TIMEOUT001";
        MirrorFixture.Req first = f.request();
        first.create(id);
        first.set("cart", new ArrayList<>(List.of("apple"))).set("theme", "dark").end();
        f.settled();
        assertEquals(1800, SessionCodec.maxInactiveOf(f.stored(id)));

        MirrorFixture.Req remember = f.request();
        FakeServer.Session s = remember.lookup(id);
        remember.get("cart"); // read, not changed
        s.maxInactiveSeconds = 7200; // "remember me": the servlet API's setMaxInactiveInterval
        remember.end();
        f.settled();
        assertEquals(7200, SessionCodec.maxInactiveOf(f.stored(id)), "the new timeout is stored");
    }
}
