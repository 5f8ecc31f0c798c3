package io.sessionmirror.agent.core;

import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.StoreException;
import java.util.function.Predicate;

/**
 * The end of a session in Memcached: its tombstone, over every pending write of the key (and queued even
 * when the queue is full). With {@code onlyIf} (a timeout), only over the copy this server last knew.
 */
final class TombstoneTask extends WriteBehindQueue.Task {

    private final MirrorServices services;
    private final TroubleReports reports;
    private final EndedKeys ended;
    private final int seconds;
    private final WebApp app;
    private final Predicate<byte[]> onlyIf;
    private final Long goneStamp;

    TombstoneTask(MirrorServices services, TroubleReports reports, EndedKeys ended, String key, int seconds,
                  WebApp app, Predicate<byte[]> onlyIf, Long goneStamp) {
        super(key);
        this.services = services;
        this.reports = reports;
        this.ended = ended;
        this.seconds = seconds;
        this.app = app;
        this.onlyIf = onlyIf;
        this.goneStamp = goneStamp;
    }

    @Override
    protected boolean supersedes(WriteBehindQueue.Task older) {
        // An unconditional end supersedes everything; a timeout's conditional one never an invalidation's.
        return onlyIf == null || !(older instanceof TombstoneTask);
    }

    @Override
    protected boolean exemptFromCapacity() {
        return true;
    }

    @Override
    protected void run() throws StoreException {
        complete(begin());
    }

    @Override
    protected Object begin() {
        return services.store.startTombstone(key, seconds, onlyIf);
    }

    @Override
    protected void advance(Object begun) {
        ((PendingWrite) begun).advance();
    }

    @Override
    protected void complete(Object begun) throws StoreException {
        ((PendingWrite) begun).await();
        reports.of(app).deletes.increment();
        ended.stored(key, goneStamp);
    }

    @Override
    protected void failed(String why) {
        // Kept in EndedKeys until it expires; the nodes that missed it replay it when they are back.
        reports.storeTrouble(app, "could not end a session (logout, timeout or new id) of " + app, new StoreException(why));
    }
}
