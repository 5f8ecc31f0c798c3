package io.sessionmirror.agent.core;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Values whose content cannot change after they were read. Reading one of these never makes a session
 * dirty; reading anything else might (the application can mutate it in place without setAttribute),
 * so such a read makes the end of the request re-check the session's serialized form.
 */
final class Immutables {

    private Immutables() {
    }

    // Asked on every getAttribute: the answer per class is computed once (ClassValue does not keep a web
    // app's classes from being unloaded).
    private static final ClassValue<Boolean> IMMUTABLE = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return c == String.class || c == Integer.class || c == Long.class || c == Boolean.class
                    || c == Double.class || c == Float.class || c == Short.class || c == Byte.class
                    || c == Character.class || c == BigDecimal.class || c == BigInteger.class
                    || Enum.class.isAssignableFrom(c)
                    || (c.getName().startsWith("java.time.") && !c.isArray());
        }
    };

    static boolean is(Object v) {
        Class<?> c = v.getClass();
        return c == String.class || c == Integer.class || IMMUTABLE.get(c);
    }
}
