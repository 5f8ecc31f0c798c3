package io.sessionmirror.agent.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What an attach finds loaded in the JVM, for a family to find the sessions that already exist: the class loaders
 * that define a class (web app loaders lead to their contexts), and the classes themselves by name (a server
 * that keeps its web container in a static registry, such as GlassFish's {@code Globals}).
 */
public final class LoadedClasses {

    private final Class<?>[] classes;
    private final Set<ClassLoader> loaders = Collections.newSetFromMap(new IdentityHashMap<>());

    public LoadedClasses(Class<?>[] classes) {
        this.classes = classes;
        for (Class<?> c : classes) {
            ClassLoader l = c.getClassLoader();
            if (l != null) {
                loaders.add(l);
            }
        }
    }

    /** Every class loader that defines a loaded class (not the boot loader). */
    public Set<ClassLoader> loaders() {
        return loaders;
    }

    /** The loaded classes of this name, one per class loader that defines one; none when it is not loaded. */
    public List<Class<?>> named(String name) {
        List<Class<?>> found = new ArrayList<>(1);
        for (Class<?> c : classes) {
            if (c.getName().equals(name)) {
                found.add(c);
            }
        }
        return found;
    }
}
