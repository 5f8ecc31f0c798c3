package io.sessionmirror.agent.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fast 64-bit hash of serialized session bytes (murmur3-style mixing, eight bytes per step). Used only
 * to tell whether a session changed since it was last written, so it needs speed and a negligible
 * collision rate, not cryptographic strength. Never returns 0, which means "not written yet".
 */
public final class ChangeHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private ChangeHash() {
    }

    public static long of(byte[] bytes) {
        return of(bytes, 0, bytes.length, 0);
    }

    public static long of(byte[] bytes, int offset, int length, long seed) {
        long h = seed ^ (length * C1);
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            h = step(h, (long) LONGS.get(bytes, i));
        }
        if (i < end) {
            long k = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                k |= (bytes[i] & 0xffL) << shift;
            }
            h = step(h, k);
        }
        h = fmix(h ^ length);
        return h == 0 ? 1 : h;
    }

    /** Mixes another value (e.g. the max inactive interval) into a hash. */
    public static long mix(long hash, long value) {
        long h = fmix(step(hash, value));
        return h == 0 ? 1 : h;
    }

    private static long step(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        h = Long.rotateLeft(h, 27);
        return h * 5 + 0x52dce729;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
