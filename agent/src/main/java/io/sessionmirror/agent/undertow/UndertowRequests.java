package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * What Undertow's advice passes as the bridge's {@code request}, read: the lookup passes
 * {@code Object[] {HttpServerExchange, SessionConfig}} on a miss and the exchange on a hit; the servlet
 * response's {@code responseDone} passes the {@code HttpServletResponseImpl}. The members read on every
 * request are looked up once per class.
 */
final class UndertowRequests {

    private final Reflector reflector = new Reflector();

    /** {@code SessionConfig.findSessionId(HttpServerExchange)} per config class: asked on every lookup miss. */
    private final ClassValue<Method> findSessionId = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Method m : type.getMethods()) {
                if (m.getName().equals("findSessionId") && m.getParameterCount() == 1) {
                    m.setAccessible(true);
                    return m;
                }
            }
            return null;
        }
    };

    /** The members {@link #sessionOfResponse} reads, per response class; null where this Undertow lacks one. */
    private static final class ResponseFields {
        final Field servletContext;
        final Field exchange;
        final Method getAttachment;

        ResponseFields(Class<?> response) throws ReflectiveOperationException {
            servletContext = Reflector.field(response, "servletContext");
            exchange = Reflector.field(response, "exchange");
            Class<?> exchangeType = exchange.getType();
            getAttachment = exchangeType.getMethod("getAttachment",
                    Class.forName("io.undertow.util.AttachmentKey", false, exchangeType.getClassLoader()));
        }
    }

    private final ClassValue<ResponseFields> responseFields = new ClassValue<ResponseFields>() {
        @Override
        protected ResponseFields computeValue(Class<?> type) {
            try {
                return new ResponseFields(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };
    private final ClassValue<Field> contextKeys = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return fieldOrNull(type, "sessionAttachmentKey");
        }
    };
    private final ClassValue<Field> sessionFields = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return fieldOrNull(type, "session");
        }
    };

    private static Field fieldOrNull(Class<?> type, String name) {
        try {
            return Reflector.field(type, name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The id a missed lookup asked for, read from its {@code Object[] {exchange, config}}; or null. */
    String requestedId(Object lookupArgument) {
        if (!(lookupArgument instanceof Object[])) {
            return null;
        }
        Object[] exchangeAndConfig = (Object[]) lookupArgument;
        try {
            Method find = findSessionId.get(exchangeAndConfig[1].getClass());
            return find == null ? null : (String) find.invoke(exchangeAndConfig[1], exchangeAndConfig[0]);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The exchange inside what a lookup passed ({@code Object[] {exchange, config}} or the exchange itself). */
    static Object exchangeOf(Object lookupArgument) {
        return lookupArgument instanceof Object[] ? ((Object[]) lookupArgument)[0] : lookupArgument;
    }

    String requestUri(Object lookupArgument) {
        try {
            return (String) reflector.call(exchangeOf(lookupArgument), "getRequestURI");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The session of a servlet response that is about to close (the servlet layer keeps the request's
     * HttpSessionImpl as an exchange attachment under its context's key), as the {@code SessionImpl} inside any
     * wrapper; null when there is none.
     */
    Object sessionOfResponse(Object response) {
        try {
            ResponseFields f = responseFields.get(response.getClass());
            if (f == null) {
                return null;
            }
            Object context = f.servletContext.get(response);
            Object exchange = f.exchange.get(response);
            if (context == null || exchange == null) {
                return null;
            }
            Field key = contextKeys.get(context.getClass());
            Object httpSession = key == null ? null : f.getAttachment.invoke(exchange, key.get(context));
            Field session = httpSession == null ? null : sessionFields.get(httpSession.getClass());
            // WildFly keeps its CompletableSession there, around the SessionImpl the agent tracks.
            return session == null ? null : UndertowDecorators.sessionImpl(session.get(httpSession));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
