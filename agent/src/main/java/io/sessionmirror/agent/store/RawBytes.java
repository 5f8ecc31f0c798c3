package io.sessionmirror.agent.store;

import net.spy.memcached.CachedData;
import net.spy.memcached.transcoders.Transcoder;

/** Stores our payloads as they are: no Java serialization, no compression, flags 0. */
public final class RawBytes implements Transcoder<byte[]> {

    public static final RawBytes INSTANCE = new RawBytes();

    private RawBytes() {
    }

    @Override
    public boolean asyncDecode(CachedData d) {
        return false;
    }

    @Override
    public CachedData encode(byte[] o) {
        return new CachedData(0, o, getMaxSize());
    }

    @Override
    public byte[] decode(CachedData d) {
        return d.getData();
    }

    @Override
    public int getMaxSize() {
        return CachedData.MAX_SIZE;
    }
}
