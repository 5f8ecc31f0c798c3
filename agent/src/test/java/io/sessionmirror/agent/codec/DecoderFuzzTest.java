package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sessionmirror.agent.security.PayloadSeal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the stored-value decoder with random, truncated, bit-flipped, spliced and re-headed
 * inputs. Whatever the bytes: only {@link CorruptPayloadException} comes out, nothing hangs,
 * and with a secret set nothing but the untouched original ever reaches deserialization.
 */
class DecoderFuzzTest {

    static final long SEED = 20261126L;
    static final int CASES = 12_000;
    static final String KEY = "sm:host/app:FUZZ";

    static List<byte[]> originals(SessionCodec... writers) throws Exception {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("visits", 42);
        attrs.put("name", "alice");
        attrs.put("items", new ArrayList<>(Arrays.asList("a", "b", "c")));
        attrs.put("blob", new byte[300]);
        attrs.put("text", "lorem ipsum ".repeat(40));
        SessionData data = new SessionData("FUZZ", 1L, 1800, "FORM", null, attrs);
        List<byte[]> out = new ArrayList<>();
        for (SessionCodec w : writers) {
            out.add(w.encode(data, DecoderFuzzTest.class.getClassLoader(), 5, KEY).payload);
        }
        return out;
    }

    static byte[] mutate(Random r, List<byte[]> bases) {
        byte[] base = bases.get(r.nextInt(bases.size()));
        switch (r.nextInt(7)) {
            case 0: { // random bytes, sometimes with our magic in front
                byte[] b = new byte[r.nextInt(r.nextBoolean() ? 64 : 4000)];
                r.nextBytes(b);
                if (b.length > 3 && r.nextBoolean()) {
                    b[0] = 'S';
                    b[1] = 'M';
                    b[2] = (byte) (1 + r.nextInt(3));
                    b[3] = (byte) (1 + r.nextInt(2));
                }
                return b;
            }
            case 1: // truncated
                return Arrays.copyOf(base, r.nextInt(base.length));
            case 2: { // 1 to 8 bit flips
                byte[] b = base.clone();
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 3: { // a run of random bytes overwritten
                byte[] b = base.clone();
                int at = r.nextInt(b.length);
                for (int i = at; i < Math.min(b.length, at + 1 + r.nextInt(16)); i++) {
                    b[i] = (byte) r.nextInt(256);
                }
                return b;
            }
            case 4: { // a length field set to something extreme
                byte[] b = base.clone();
                int at = 38 + r.nextInt(Math.max(1, b.length - 42));
                int[] lengths = {-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, b.length, b.length * 2, 0x7FFF};
                java.nio.ByteBuffer.wrap(b).putInt(Math.min(at, b.length - 4), lengths[r.nextInt(lengths.length)]);
                return b;
            }
            case 5: { // bytes inserted or removed in the middle
                int at = r.nextInt(base.length);
                if (r.nextBoolean()) {
                    byte[] extra = new byte[1 + r.nextInt(8)];
                    r.nextBytes(extra);
                    byte[] b = new byte[base.length + extra.length];
                    System.arraycopy(base, 0, b, 0, at);
                    System.arraycopy(extra, 0, b, at, extra.length);
                    System.arraycopy(base, at, b, at + extra.length, base.length - at);
                    return b;
                }
                int n = Math.min(1 + r.nextInt(8), base.length - at);
                byte[] b = new byte[base.length - n];
                System.arraycopy(base, 0, b, 0, at);
                System.arraycopy(base, at + n, b, at, base.length - at - n);
                return b;
            }
            default: { // the header of one value on the body of another
                byte[] other = bases.get(r.nextInt(bases.size()));
                int cut = r.nextInt(Math.min(base.length, other.length));
                byte[] b = Arrays.copyOf(base, other.length);
                System.arraycopy(other, cut, b, cut, other.length - cut);
                return b;
            }
        }
    }

    private static void fuzz(SessionCodec reader, SealedCodecTest.Counting... counted) throws Exception {
        Random r = new Random(SEED);
        ClassLoader loader = DecoderFuzzTest.class.getClassLoader();
        List<byte[]> bases = originals(
                new SessionCodec(null, -1, new FstSerializer()), new SessionCodec(null, -1, new JavaSerializer()),
                new SessionCodec(null, 64, new FstSerializer()),
                new SessionCodec(new PayloadSeal(List.of(SealedCodecTest.SECRET), false), -1, new FstSerializer()),
                new SessionCodec(new PayloadSeal(List.of(SealedCodecTest.SECRET), true), 64, new JavaSerializer()));
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] input = mutate(r, bases);
                boolean original = bases.stream().anyMatch(b -> Arrays.equals(b, input));
                int readsBefore = Arrays.stream(counted).mapToInt(c -> c.reads.get()).sum();
                try {
                    reader.decode(input, loader, "FUZZ", KEY);
                    outcomes[0]++;
                } catch (CorruptPayloadException expected) {
                    outcomes[1]++;
                } catch (Throwable t) {
                    fail("case " + i + ": " + t + " escaped the decoder", t);
                }
                int reads = Arrays.stream(counted).mapToInt(c -> c.reads.get()).sum() - readsBefore;
                if (counted.length > 0 && !original) {
                    assertEquals(0, reads, "case " + i + ": changed bytes were deserialized although a secret is set");
                }
            }
        });
        assertEquals(CASES, outcomes[0] + outcomes[1]);
        assertTrue(outcomes[1] > CASES / 2, "most mutations are refused: " + outcomes[1]);
    }

    @Test
    void withoutASecretOnlyTheDocumentedErrorComesOut() throws Exception {
        fuzz(new SessionCodec(null, -1, new FstSerializer(), new JavaSerializer()));
    }

    @Test
    void withASecretNothingChangedIsEverDeserialized() throws Exception {
        SealedCodecTest.Counting fst = new SealedCodecTest.Counting(new FstSerializer());
        SealedCodecTest.Counting java = new SealedCodecTest.Counting(new JavaSerializer());
        fuzz(new SessionCodec(new PayloadSeal(List.of(SealedCodecTest.SECRET), false), -1, fst, java), fst, java);
    }
}
