package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.Lineage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * What the agent remembers about one live session; kept in a weak side table, never in the session. Every
 * mirrored session has one, so it is kept small (plain fields and field updaters, no atomics objects, no
 * cached strings): about 100 bytes, see docs/benchmarks.md "Heap per session".
 */
final class SessionState {

    private static final AtomicIntegerFieldUpdater<SessionState> CHANGED =
            AtomicIntegerFieldUpdater.newUpdater(SessionState.class, "changed");
    private static final AtomicIntegerFieldUpdater<SessionState> MUTABLE_READ =
            AtomicIntegerFieldUpdater.newUpdater(SessionState.class, "mutableRead");
    private static final AtomicReferenceFieldUpdater<SessionState, String> READ_NAME =
            AtomicReferenceFieldUpdater.newUpdater(SessionState.class, String.class, "readName");
    private static final AtomicReferenceFieldUpdater<SessionState, SnapshotTask> QUEUED =
            AtomicReferenceFieldUpdater.newUpdater(SessionState.class, SnapshotTask.class, "queued");
    private static final AtomicIntegerFieldUpdater<SessionState> USES =
            AtomicIntegerFieldUpdater.newUpdater(SessionState.class, "uses");

    /** 1: an attribute was set or removed since the session was last snapshotted. */
    private volatile int changed;
    /** 1: a mutable attribute value was handed to the application since the last snapshot. */
    private volatile int mutableRead;
    /**
     * The name of the one mutable attribute read since the last snapshot, {@link #SEVERAL} when more than one was
     * (or one whose name was not said), null when none: a snapshot whose only change is that read checks that
     * attribute alone. Set before {@link #mutableRead} and taken after it, so a flag without a name means "several".
     */
    private volatile String readName;
    /**
     * The snapshot of it queued for the writer thread (write=async), or null; at most one at a time. It holds the
     * session strongly while it waits, which a value of the weak table may do only for that long.
     */
    private volatile SnapshotTask queued;
    /** Requests using the session now, as the agent counts them (families whose server counts use: unused). */
    private volatile int uses;
    /** Moves at every start of use: a snapshot taken while it moved may be torn and is taken again. */
    volatile int generation;

    /** Change hash of what was last queued or written; 0 means "must be written". */
    volatile long lastHash;
    /**
     * Per attribute, the change hash and stamp of the copy this server last loaded or wrote ({@link Lineage#EMPTY}:
     * none, or a format without sections): what the next write stamps its changes against, what a read of one
     * attribute is compared with, and what a refresh tells local changes from by.
     */
    volatile Lineage lineage = Lineage.EMPTY;
    /**
     * {@link SessionWriter#headerOf} the copy last loaded or written (0: not known): timeout, auth type and principal
     * are stored too, and no container tells the agent when they change, so a snapshot that checks one read attribute
     * alone checks these as well.
     */
    volatile long header;
    /** Version of the stored copy this server last wrote or loaded (0: never stored). */
    volatile long version;
    /** Version of the last copy Memcached acknowledged from this server, or loaded (0: none yet). */
    volatile long storedVersion;
    /** Write id of the stored copy this server last wrote or loaded. */
    volatile long knownWriteId;
    /** When the stored copy's expiry was last extended (write or touch), epoch millis. */
    volatile long lastRefresh;
    /** When a snapshot of it was last encoded on the writer thread ({@link System#nanoTime}); for write.interval. */
    volatile long lastSnapshotNanos;

    /** Invalidated or timed out here: its tombstone is on its way, and nothing of it is written any more. */
    volatile boolean ended;
    /**
     * The server is tearing it down at its stop (its last change was written then): nothing of it is written any
     * more, since the teardown removes its attributes (Undertow's servlet layer does) and the stored copy is what
     * another server carries on with.
     */
    volatile boolean stopped;

    /** Whether anything of it may still be written: neither ended here nor torn down by a stop. */
    boolean writable() {
        return !ended && !stopped;
    }

    /**
     * Memcached refused a write of it as older than what it holds (or the session ended elsewhere): the next
     * lookup takes the stored copy instead of this one.
     */
    volatile boolean stale;

    /**
     * Sticky mode: until then (epoch millis; 0 = not at all) every lookup checks the stored copy: the session
     * was just taken over from another server, which may still be finishing requests of it.
     */
    volatile long verifyUntil;

    /** The session's web app, looked up once: a session never moves between web apps. */
    volatile WebApp app;

    /** The session's content now is the stored copy {@code d}: remember it as what Memcached holds. */
    void loaded(Decoded d) {
        lastHash = d.hash;
        knownWriteId = d.writeId;
        lineage = d.lineage;
        header = SessionWriter.headerOf(d.data);
        version = d.version;
        storedVersion = d.version;
        lastRefresh = System.currentTimeMillis();
        stale = false;
    }

    // ---------------------------------------------------------------- change flags

    void markChanged() {
        if (changed == 0) {
            changed = 1;
        }
    }

    void markMutableRead() {
        markMutableRead(null);
    }

    /** The mutable attribute {@code name} (null: not known) was handed out. */
    void markMutableRead(String name) {
        for (;;) {
            String seen = readName;
            if (seen == SEVERAL || name != null && name.equals(seen)) {
                break;
            }
            if (READ_NAME.compareAndSet(this, seen, seen == null && name != null ? name : SEVERAL)) {
                break;
            }
        }
        if (mutableRead == 0) {
            mutableRead = 1;
        }
    }

    /** What {@link #readName} holds when more than one attribute (or an unnamed one) was read; compared by identity. */
    static final String SEVERAL = new String("(several)");

    /**
     * The one mutable attribute read since the last take, or null when several were (or it is not known); clears it.
     * Call only after {@link #takeMutableRead} answered true.
     */
    String takeReadName() {
        String name = READ_NAME.getAndSet(this, null);
        return name == SEVERAL ? null : name;
    }

    /** Whether an attribute was set or removed since the last take; clears it. */
    boolean takeChanged() {
        return changed != 0 && CHANGED.getAndSet(this, 0) != 0;
    }

    /** Whether a mutable value was handed out since the last take; clears it. */
    boolean takeMutableRead() {
        return mutableRead != 0 && MUTABLE_READ.getAndSet(this, 0) != 0;
    }

    /** Forgets both flags: the session's content now is a stored copy that replaced it. */
    void clearFlags() {
        changed = 0;
        mutableRead = 0;
        readName = null;
    }

    /** Whether a change flag is set (without clearing it). */
    boolean flagsSet() {
        return changed != 0 || mutableRead != 0;
    }

    /** Whether anything may differ from what was last written (without clearing anything). */
    boolean dirty() {
        return changed != 0 || mutableRead != 0 || lastHash == 0;
    }

    // ---------------------------------------------------------------- writer-thread snapshots

    /** The snapshot queued for this session, or null. */
    SnapshotTask queued() {
        return queued;
    }

    /** Makes {@code task} the one queued snapshot of this session; false when another one is queued. */
    boolean claimQueued(SnapshotTask task) {
        return QUEUED.compareAndSet(this, null, task);
    }

    /** {@code task} runs (or was dropped): the next end of use may queue another. */
    void releaseQueued(SnapshotTask task) {
        QUEUED.compareAndSet(this, task, null);
    }

    // ---------------------------------------------------------------- requests using it

    /** A request starts using the session: counted, and the generation moves (see {@link #generation}). */
    void startUse() {
        USES.incrementAndGet(this);
        generation++; // racy increments may collide; what matters is that it moves, and a collision still moves it
    }

    /** A request is done with the session; never below zero (a release the agent saw no start of). */
    void endUse() {
        int u;
        do {
            u = uses;
            if (u <= 0) {
                return;
            }
        } while (!USES.compareAndSet(this, u, u - 1));
    }

    int uses() {
        return uses;
    }
}
