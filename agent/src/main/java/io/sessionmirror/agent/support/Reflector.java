package io.sessionmirror.agent.support;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflective access to server objects, which the agent's class loader cannot see by type. Methods are
 * looked up once per class and name and cached; private and protected members are reached through the
 * class hierarchy. Exceptions thrown by the invoked method come out unwrapped.
 */
public final class Reflector {

    private static final Class<?>[] NONE = new Class<?>[0];

    private final ClassValue<Map<String, Method>> methods = new ClassValue<Map<String, Method>>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    public Object call(Object target, String name) throws ReflectiveOperationException {
        return call(target, name, NONE);
    }

    public Object call(Object target, String name, Class<?>[] types, Object... args) throws ReflectiveOperationException {
        Class<?> type = target.getClass();
        Map<String, Method> byName = methods.get(type);
        String cacheKey = types.length == 0 ? name : name + '/' + types.length + '/' + types[0].getName();
        Method m = byName.get(cacheKey);
        if (m == null) {
            m = findMethod(type, name, types);
            byName.put(cacheKey, m);
        }
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw e;
        }
    }

    /** Whether {@code target}'s class has a method {@code name} without parameters. */
    public boolean has(Object target, String name) {
        try {
            findMethod(target.getClass(), name, NONE);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    public static Method findMethod(Class<?> type, String name, Class<?>[] types) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, types);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException ignored) {
                // look further up
            }
        }
        Method m = type.getMethod(name, types); // interface default methods
        m.setAccessible(true);
        return m;
    }

    /** The class named {@code name} among {@code type} and its superclasses, or null. */
    public static Class<?> ancestor(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** A declared field of {@code type} or a superclass, made accessible; fails if the server has none. */
    public static Field field(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException ignored) {
                // look further up
            }
        }
        throw new IllegalStateException("this server version has no field " + type.getName() + "." + name);
    }
}
