package io.sessionmirror.agent.undertow;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Routes in session cookies on servers that wrap Undertow's session config in one that encodes ids: WildFly's
 * {@code CodecSessionConfig} (inside the servlet layer's own wrapper) writes {@code <id>.<instance-id>} to the
 * cookie and strips the route again when it reads it, so the session manager (and the agent's keys) only ever see {@code <id>}. A load balancer with sticky
 * sessions follows that route; after a failover the survivor must answer with its own, as Tomcat's jvmRoute and
 * Jetty's worker name are rewritten. Plain Undertow has no such wrapper, and nothing here does anything there.
 */
final class UndertowRoutes {

    /** The members of one encoding config class: the config it wraps and the codec that adds the route. */
    private static final class Codec {
        final Field inner;
        final Field codec;
        final Method encode;
        final Method findSessionId;
        final Method setSessionId;

        Codec(Field inner, Field codec, Method encode, Method findSessionId, Method setSessionId) {
            this.inner = inner;
            this.codec = codec;
            this.encode = encode;
            this.findSessionId = findSessionId;
            this.setSessionId = setSessionId;
        }
    }

    /** Per config class: its codec, or null for a config that writes ids as they are. */
    private static final ClassValue<Codec> CODECS = new ClassValue<Codec>() {
        @Override
        protected Codec computeValue(Class<?> type) {
            try {
                Field inner = null;
                Field codec = null;
                Method encode = null;
                for (Field f : type.getDeclaredFields()) {
                    if (f.getType().getName().equals(UndertowDecorators.SESSION_CONFIG)) {
                        inner = f;
                    } else {
                        Method m = encodeMethod(f.getType());
                        if (m != null) {
                            codec = f;
                            encode = m;
                        }
                    }
                }
                if (inner == null || codec == null) {
                    return null;
                }
                Class<?> config = inner.getType();
                Class<?> exchange = Class.forName("io.undertow.server.HttpServerExchange", false, config.getClassLoader());
                inner.setAccessible(true);
                codec.setAccessible(true);
                encode.setAccessible(true);
                return new Codec(inner, codec, encode, config.getMethod("findSessionId", exchange),
                        config.getMethod("setSessionId", exchange, String.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }
    };

    /** {@code CharSequence encode(CharSequence)} of a codec type (WildFly's {@code SessionIdentifierCodec}), or null. */
    private static Method encodeMethod(Class<?> type) {
        if (type.isPrimitive() || type.getName().startsWith("java.")) {
            return null;
        }
        try {
            Method m = type.getMethod("encode", CharSequence.class);
            return CharSequence.class.isAssignableFrom(m.getReturnType()) ? m : null;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    private UndertowRoutes() {
    }

    /** The config that encodes ids, {@code config} or one it wraps; null where none does. */
    private static Object encoding(Object config) {
        return UndertowDecorators.sessionConfig(config, type -> CODECS.get(type) != null);
    }

    /**
     * Whether the request named session {@code id} under another server's route: its cookie's id differs from
     * the one this server's config would write. False where the config adds no routes.
     */
    static boolean cameWithOtherRoute(Object exchange, Object config, String id) {
        Object encoding = encoding(config);
        if (encoding == null || exchange == null || id == null) {
            return false;
        }
        Codec c = CODECS.get(encoding.getClass());
        try {
            Object raw = c.findSessionId.invoke(c.inner.get(encoding), exchange);
            return raw != null && !raw.equals(c.encode.invoke(c.codec.get(encoding), id).toString());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Session {@code id} now lives here: if the request came with another server's route, a new cookie with this
     * server's ({@code setSessionId} of the wrapped config; WildFly's writes the cookie only when it differs).
     * Returns whether the route was rewritten.
     */
    static boolean answerWithOwnRoute(Object exchange, Object config, String id) {
        if (!cameWithOtherRoute(exchange, config, id)) {
            return false;
        }
        try {
            Object encoding = encoding(config);
            CODECS.get(encoding.getClass()).setSessionId.invoke(encoding, exchange, id); // the wrapper's, which encodes
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
