package io.sessionmirror.agent.core;

import io.sessionmirror.bootstrap.HookFailureSink;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * What the bridge does with a Throwable a hook threw (the request went on without the agent's work there):
 * count it, and log it once per family, hook and exception class with its stack trace, later ones at debug
 * level only (a broken hook fails on every request; the log must not fill up, but it must speak once).
 */
public final class HookFailures implements HookFailureSink {

    /** Enough distinct (family, hook, exception) triples for any real failure; bounds memory if classes vary. */
    private static final int MAX_REPORTED = 1000;

    private final String[] families = new String[MirrorBridge.SLOTS];
    private final LongAdder counter;
    private final Logger log;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** {@code counter}: the agent's {@code hookFailures}. */
    public HookFailures(LongAdder counter, Logger log) {
        this.counter = counter;
        this.log = log;
    }

    /** The family in {@code slot}, as the log names it. */
    public void name(int slot, String family) {
        families[slot] = family;
    }

    @Override
    public void hookFailed(int slot, String hook, Throwable failure) {
        counter.increment();
        String family = slot >= 0 && slot < families.length && families[slot] != null ? families[slot] : "slot " + slot;
        if (reported.size() < MAX_REPORTED && reported.add(slot + "|" + hook + "|" + failure.getClass().getName())) {
            log.warn("Session Mirror's {} hook failed on {} with {}: the server went on without the agent there, so"
                    + " this session may not be mirrored. Logged once per hook and exception class (then at debug"
                    + " level), counted as hookFailures.", hook, family, failure.toString(), failure);
        } else if (log.isDebugEnabled()) {
            log.debug("Session Mirror's {} hook failed on {} with {}", hook, family, failure.toString());
        }
    }
}
