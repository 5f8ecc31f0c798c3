package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.PayloadSeal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes formats 2 and 3 as agents before format 5 did (one graph {@code Object[]{principal, attributes}}),
 * so tests can check those copies are still read. Test code only: the agent writes format 5.
 */
final class LegacyPayloads {

    private LegacyPayloads() {
    }

    /** Format 2 (no seal, no compression). */
    static byte[] format2(Serializer serializer, SessionData data, long version) throws Exception {
        return write(serializer, data, version, null, -1, "");
    }

    /** Format 2 when neither sealed nor compressed, else format 3, as the old encoder chose. */
    static byte[] write(Serializer serializer, SessionData data, long version, PayloadSeal seal, int compressAbove,
                        String storeKey) throws Exception {
        byte[] graph = graph(serializer, data);
        Sealing sealing = new Sealing(seal);
        int flags = 0;
        byte[] body = new Compression(compressAbove).deflateIfWorth(graph);
        if (body != null) {
            flags |= PayloadHeader.COMPRESSED;
        } else {
            body = graph;
        }
        flags |= sealing.flags();
        body = sealing.encrypt(storeKey, body);
        byte[] payload = PayloadHeader.write(serializer.id(), ThreadLocalRandom.current().nextLong(), version, data,
                flags, sealing.keyId(), body, sealing.tagLength());
        sealing.sign(storeKey, payload);
        return payload;
    }

    static byte[] graph(Serializer serializer, SessionData data) throws Exception {
        String[] names = data.attributes().keySet().toArray(new String[0]);
        Arrays.sort(names);
        Map<String, Object> sorted = new LinkedHashMap<>();
        for (String n : names) {
            sorted.put(n, data.attributes().get(n));
        }
        return serializer.serialize(new Object[] {data.principal(), sorted}, null);
    }

    /** The header flags of a payload (0 for formats 1 and 2). */
    static int flags(byte[] payload) throws CorruptPayloadException {
        return PayloadHeader.read(payload, payload[2]).flags;
    }
}
