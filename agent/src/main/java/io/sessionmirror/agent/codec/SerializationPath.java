package io.sessionmirror.agent.codec;

import java.io.Externalizable;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Where in an attribute's object graph the object is that Java serialization refuses: the first
 * non-serializable object on the shortest path from the attribute, as
 * {@code cart.items[2].supplier -> com.zaxxer.hikari.HikariDataSource}. A NotSerializableException names
 * only the class; in a large graph the path is what tells the developer which reference to make transient.
 *
 * <p>The walk follows what default serialization writes: the non-static, non-transient fields of every
 * Serializable class of an object's hierarchy, the elements of arrays, and the elements, keys and values of
 * the JDK's collections and maps (their writeObject writes those; their fields are closed under JPMS, so
 * they are read through the public API). An application's own collection class is walked by its fields
 * (none of its code runs here: a lazy collection's iterator could load from a database); fields that cannot
 * be made accessible (a JDK superclass's) are skipped. Custom writeObject/writeReplace/Externalizable are not run: an object whose writeObject leaves a
 * field out may be blamed here wrongly, an Externalizable one is not looked into. The walk is breadth
 * first (shortest path), guards cycles by identity and stops after {@link #MAX_OBJECTS} objects or
 * {@link #MAX_DEPTH} steps.
 *
 * <p>Path syntax: {@code .field}; {@code [i]} an array or collection element by position (a collection in
 * its iteration order); {@code [key]} a map's value under that key, {@code {key}} the key object itself.
 * A key is shown as text when it is a string (quoted), number, boolean, character, enum or UUID, shortened
 * to 40 characters; any other key as {@code #n SimpleClassName} (its position in the map): its toString
 * is application code that is not run here.
 */
public final class SerializationPath {

    /** Objects visited at most: bounds the time on the writer thread for a huge graph. */
    static final int MAX_OBJECTS = 100_000;
    /** Steps from the attribute at most. */
    static final int MAX_DEPTH = 200;
    private static final int KEY_CHARS = 40;
    // ASCII: a server started with LANG=C (systemd, containers) logs in ASCII, where a Unicode arrow prints as "?"
    private static final String ARROW = " -> ";

    /** One object reached, with how: the path is rebuilt from the parents only for the culprit. */
    private static final class Step {
        final Step parent;
        final String label;
        final Object value;
        final int depth;

        Step(Step parent, String label, Object value) {
            this.parent = parent;
            this.label = label;
            this.value = value;
            this.depth = parent == null ? 0 : parent.depth + 1;
        }
    }

    private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Step> queue = new ArrayDeque<>();
    private final Map<Class<?>, List<Field>> fields = new HashMap<>();

    private SerializationPath() {
    }

    /**
     * The path from attribute {@code attributeName} to the first object in {@code value}'s graph that is not
     * serializable, followed by that object's class; null when the walk finds none (the failure lies in
     * custom serialization code, or beyond the walk's bounds).
     */
    public static String find(String attributeName, Object value) {
        if (value == null) {
            return null;
        }
        try {
            return new SerializationPath().walk(new Step(null, attributeName, value));
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return null; // a diagnostic only: never a reason to fail the write it explains
        }
    }

    private String walk(Step root) {
        seen.add(root.value);
        queue.add(root);
        while (!queue.isEmpty()) {
            Step s = queue.poll();
            Object v = s.value;
            if (!serializable(v)) {
                return path(s) + ARROW + v.getClass().getName();
            }
            if (s.depth < MAX_DEPTH && !opaque(v)) {
                children(s);
            }
            if (seen.size() >= MAX_OBJECTS && queue.isEmpty()) {
                break;
            }
        }
        return null;
    }

    /** What serialization accepts without looking at the object's class further. */
    private static boolean serializable(Object v) {
        return v instanceof Serializable || v.getClass().isArray() || v instanceof Enum || v instanceof Class;
    }

    /** Objects serialization writes without their fields being ours to follow. */
    private static boolean opaque(Object v) {
        return v instanceof String || v instanceof Number && v.getClass().getModule() == Object.class.getModule()
                || v instanceof Boolean || v instanceof Character || v instanceof Enum || v instanceof Class
                || v instanceof Externalizable;
    }

    private void children(Step s) {
        Object v = s.value;
        Class<?> type = v.getClass();
        if (type.isArray()) {
            if (!type.getComponentType().isPrimitive()) {
                int n = Array.getLength(v);
                for (int i = 0; i < n; i++) {
                    offer(s, "[" + i + "]", Array.get(v, i));
                }
            }
            return;
        }
        // A JDK collection or map is read through its API (its fields are closed under JPMS); an application's
        // own collection class by its fields, so that none of its code (a lazy loader's iterator) runs here.
        boolean container = (v instanceof Map || v instanceof Collection) && jdk(type);
        if (container) {
            try {
                elements(s, v);
            } catch (RuntimeException e) {
                // changed meanwhile (ConcurrentModificationException): what was reached so far is walked
            }
        }
        for (Field f : fieldsOf(type, container)) {
            Object child;
            try {
                child = f.get(v);
            } catch (IllegalAccessException | RuntimeException e) {
                continue;
            }
            offer(s, "." + f.getName(), child);
        }
    }

    private void elements(Step s, Object v) {
        int i = 0;
        if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String key = key(e.getKey(), i++);
                offer(s, "{" + key + "}", e.getKey());
                offer(s, "[" + key + "]", e.getValue());
            }
        } else {
            for (Object element : (Collection<?>) v) {
                offer(s, "[" + i++ + "]", element);
            }
        }
    }

    private void offer(Step parent, String label, Object child) {
        if (child == null || seen.size() >= MAX_OBJECTS || !seen.add(child)) {
            return;
        }
        queue.add(new Step(parent, label, child));
    }

    /**
     * The fields default serialization writes for {@code type}, made accessible; those that cannot be are
     * left out. A collection's or map's JDK fields are left out: its elements were walked instead.
     */
    private List<Field> fieldsOf(Class<?> type, boolean container) {
        List<Field> cached = fields.get(type);
        if (cached != null) {
            return cached;
        }
        List<Field> out = new ArrayList<>();
        // Serialization writes the fields of the Serializable classes of the hierarchy, top down.
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = type; c != null && Serializable.class.isAssignableFrom(c); c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        for (Class<?> c : hierarchy) {
            if (container && jdk(c)) {
                continue;
            }
            Field[] declared;
            try {
                declared = c.getDeclaredFields();
            } catch (RuntimeException | LinkageError e) {
                continue;
            }
            for (Field f : declared) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.getType().isPrimitive()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    out.add(f);
                } catch (RuntimeException e) {
                    // InaccessibleObjectException: a JDK class's internals under JPMS; not followed
                }
            }
        }
        fields.put(type, out);
        return out;
    }

    private static boolean jdk(Class<?> c) {
        return c.getClassLoader() == null || c.getClassLoader() == ClassLoader.getPlatformClassLoader();
    }

    /** A map key as the path shows it (see the class comment). */
    static String key(Object key, int position) {
        String text;
        if (key == null) {
            return "null";
        } else if (key instanceof String) {
            text = "\"" + key + "\"";
        } else if (key instanceof Number && jdk(key.getClass()) || key instanceof Boolean || key instanceof Character
                || key instanceof UUID) {
            text = key.toString();
        } else if (key instanceof Enum) {
            text = ((Enum<?>) key).name();
        } else {
            return "#" + position + " " + key.getClass().getSimpleName();
        }
        return text.length() <= KEY_CHARS ? text : text.substring(0, KEY_CHARS - 3) + "...";
    }

    private static String path(Step s) {
        List<String> labels = new ArrayList<>();
        for (Step p = s; p != null; p = p.parent) {
            labels.add(p.label);
        }
        StringBuilder b = new StringBuilder();
        for (int i = labels.size() - 1; i >= 0; i--) {
            b.append(labels.get(i));
        }
        return b.toString();
    }
}
