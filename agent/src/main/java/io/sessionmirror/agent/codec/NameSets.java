package io.sessionmirror.agent.codec;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared array per set of attribute names. The sessions of a web app mostly hold the same few attributes, so
 * the {@link Lineage} every live session keeps would otherwise carry its own copy of the same names: for a session
 * restored from a stored copy, fresh strings read from the bytes as well. Bounded: once {@link #MAX} sets are
 * known (an application that makes up attribute names per session), new ones are simply not shared.
 */
final class NameSets {

    static final int MAX = 4096;
    private static final ConcurrentHashMap<List<String>, String[]> KNOWN = new ConcurrentHashMap<>();

    private NameSets() {
    }

    /** The shared array equal to {@code names} (never changed by anyone: callers only read it), or {@code names}. */
    static String[] canonical(String[] names) {
        List<String> key = Arrays.asList(names);
        String[] known = KNOWN.get(key);
        if (known != null) {
            return known;
        }
        if (KNOWN.size() >= MAX) {
            return names;
        }
        String[] own = names.clone(); // the key's backing array must never change: keep a copy of our own
        for (int i = 0; i < own.length; i++) {
            own[i] = own[i].intern();
        }
        known = KNOWN.putIfAbsent(Arrays.asList(own), own);
        return known != null ? known : own;
    }
}
