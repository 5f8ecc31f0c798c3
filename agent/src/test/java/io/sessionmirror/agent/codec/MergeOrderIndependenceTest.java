package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two replicas may receive two concurrent writes in opposite orders: each merges what it holds with what comes.
 * When both changed the same attribute at the same stamp in the same millisecond, both replicas must still pick
 * the same value, or they hold different sessions under equal versions.
 */
class MergeOrderIndependenceTest {

    @Test
    void twoReplicasMergingInOppositeOrdersAgreeEvenWithinOneMillisecond() throws Exception {
        SectionMergeTest t = new SectionMergeTest();
        SessionCodec codec = t.codec;
        Encoded v1 = codec.encode(SectionMergeTest.session(SectionMergeTest.base()), SectionMergeTest.loader(), 1,
                SectionMergeTest.KEY);
        Map<String, Object> onA = SectionMergeTest.base();
        onA.put("a", "from A");
        Map<String, Object> onB = SectionMergeTest.base();
        onB.put("a", "from B");
        byte[] a = SectionMergeTest.writtenAt(t.write(v1, onA).payload, 1_000_000L);
        byte[] b = SectionMergeTest.writtenAt(t.write(v1, onB).payload, 1_000_000L);

        byte[] onReplica1 = codec.merge(a, b, SectionMergeTest.KEY); // held A, B arrives
        byte[] onReplica2 = codec.merge(b, a, SectionMergeTest.KEY); // held B, A arrives
        Object r1 = t.attributesOf(codec, onReplica1 == null ? a : onReplica1).get("a");
        Object r2 = t.attributesOf(codec, onReplica2 == null ? b : onReplica2).get("a");
        assertEquals(r1, r2, "both replicas keep the same value");
    }
}
