package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.support.AgentLog;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nustaq.serialization.FSTClazzInfo;
import org.nustaq.serialization.FSTClazzLineageInfo;
import org.nustaq.serialization.FSTDefaultClassInstantiator;
import org.slf4j.Logger;

/**
 * FST 2.57 keeps three static maps keyed by Class, shared by every configuration and never emptied:
 * {@code FSTClazzInfo.sharedFieldSets} (Field[] per class), {@code FSTDefaultClassInstantiator.constructorMap}
 * (serialization constructor per class) and {@code FSTClazzLineageInfo.lineageInfos} (superclasses and
 * interfaces per class). A web app class in any of them pins its loader, and with it every class the app
 * loaded, after the app is undeployed. (Its other statics are flags, counters, and per-thread streams and
 * buffers; the agent does not use the per-thread streams, see {@link FstSerializer}.)
 *
 * <p>All three are read only when a configuration first describes a class (its FSTClazzInfo, kept per
 * configuration), never per object written or read; so dropping an entry costs one recomputation the next
 * time some configuration meets that class for the first time, and nothing on the hot path. Hence the
 * sweep simply forgets every class that is not the JDK's or the agent's, without tracking which loaders
 * are still in use.
 */
final class FstGlobalCaches {

    private static final Logger LOG = AgentLog.get();
    /** Loaders whose classes stay cached: the agent's, the system loader, and their ancestors (null: bootstrap). */
    private static final List<ClassLoader> OURS = new ArrayList<>();
    private static final Map<Class<?>, ?> LINEAGE = lineageInfos();

    static {
        for (ClassLoader l = FstGlobalCaches.class.getClassLoader(); l != null; l = l.getParent()) {
            OURS.add(l);
        }
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            OURS.add(l);
        }
    }

    private FstGlobalCaches() {
    }

    @SuppressWarnings("unchecked")
    private static Map<Class<?>, ?> lineageInfos() {
        try {
            // Private, with no way to clear it: reached by reflection (FST is the agent's own, shaded copy).
            Field f = FSTClazzLineageInfo.class.getDeclaredField("lineageInfos");
            f.setAccessible(true);
            return (Map<Class<?>, ?>) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot reach FST's class lineage cache ({}): web app class loaders may be kept after"
                    + " an undeploy while serializer=fst", e.toString());
            return null;
        }
    }

    /** Removes the entries of classes loaded by a loader other than the JDK's or the agent's; how many. */
    static int forgetForeignClasses() {
        int before = size();
        forget(FSTClazzInfo.sharedFieldSets);
        forget(FSTDefaultClassInstantiator.constructorMap);
        if (LINEAGE != null) {
            forget(LINEAGE);
        }
        return before - size();
    }

    private static int size() {
        return FSTClazzInfo.sharedFieldSets.size() + FSTDefaultClassInstantiator.constructorMap.size()
                + (LINEAGE == null ? 0 : LINEAGE.size());
    }

    @SuppressWarnings("rawtypes")
    private static void forget(Map<? extends Class, ?> byClass) {
        // ConcurrentHashMaps: removing while FST reads or adds entries is safe, the iteration weakly consistent.
        byClass.keySet().removeIf(c -> !ours(c.getClassLoader()));
    }

    private static boolean ours(ClassLoader loader) {
        if (loader == null) {
            return true;
        }
        for (ClassLoader l : OURS) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }
}
