package io.sessionmirror.agent.core;

import io.sessionmirror.agent.config.MirrorConfig;

/** What every server family's {@link SessionMirror} shares: one store, one write queue, one codec. */
public final class MirrorServices {

    public final MemcachedStore store;
    public final WriteBehindQueue queue;
    public final SessionCodec codec;
    public final SessionKeys keys;
    public final MirrorStats stats;
    public final boolean syncWrites;

    public MirrorServices(MemcachedStore store, WriteBehindQueue queue, SessionCodec codec, SessionKeys keys,
                          MirrorStats stats, boolean syncWrites) {
        this.store = store;
        this.queue = queue;
        this.codec = codec;
        this.keys = keys;
        this.stats = stats;
        this.syncWrites = syncWrites;
    }

    public static MirrorServices create(MirrorConfig config) {
        Serializer java = new JavaSerializer();
        SessionCodec codec = config.serializer() == MirrorConfig.Serializer.FST
                ? new SessionCodec(new FstSerializer(), java)
                : new SessionCodec(java, new FstSerializer());
        return new MirrorServices(new MemcachedStore(config.nodes(), config.timeoutMillis()),
                new WriteBehindQueue(config.queueCapacity()), codec, new SessionKeys(config.prefix()), new MirrorStats(),
                config.writeMode() == MirrorConfig.WriteMode.SYNC);
    }

    /** Finishes queued writes (bounded) and disconnects; for JVM shutdown. */
    public void shutdown(long flushMillis) {
        queue.flush(flushMillis);
        queue.stop();
        store.close();
    }
}
