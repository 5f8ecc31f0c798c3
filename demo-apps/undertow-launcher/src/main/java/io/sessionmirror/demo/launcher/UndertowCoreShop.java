package io.sessionmirror.demo.launcher;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.InMemorySessionManager;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionAttachmentHandler;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionCookieConfig;
import io.undertow.server.session.SessionListener;
import io.undertow.server.session.SessionManager;
import io.undertow.util.Headers;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shop written against undertow-core alone (no servlets): Undertow's own session API
 * ({@code SessionAttachmentHandler}, {@code InMemorySessionManager}), the way lightweight Undertow
 * services use sessions. Runs on undertow-core 2.3 and 2.4.
 * <pre>
 *   java -cp undertow-launcher.jar:undertow-core/lib/* io.sessionmirror.demo.launcher.UndertowCoreShop --port 8081
 *   /shop/cart/add?item=x   a list in the session, changed in place
 *   /shop/counter           an Integer attribute, set again each time
 *   /shop/logout            invalidates the session
 *   /shop/session           the session as key=value lines
 *   /shop/stats             sessions created on this server
 * </pre>
 */
public final class UndertowCoreShop {

    private static final AtomicInteger CREATED = new AtomicInteger();

    private UndertowCoreShop() {
    }

    public static void main(String[] args) {
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        InMemorySessionManager sessions = new InMemorySessionManager("shop");
        sessions.setDefaultSessionTimeout(1800);
        sessions.registerSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session, HttpServerExchange exchange) {
                CREATED.incrementAndGet();
            }
        });
        SessionCookieConfig cookie = new SessionCookieConfig();
        cookie.setCookieName("JSESSIONID");
        cookie.setPath("/");
        Undertow server = Undertow.builder().addHttpListener(port, "0.0.0.0")
                .setHandler(new SessionAttachmentHandler(Handlers.path().addPrefixPath("/shop", UndertowCoreShop::handle),
                        sessions, cookie))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "undertow-stop"));
        server.start();
        System.out.println("Undertow core shop started on port " + port);
    }

    @SuppressWarnings("unchecked")
    private static void handle(HttpServerExchange exchange) {
        SessionManager manager = exchange.getAttachment(SessionManager.ATTACHMENT_KEY);
        SessionConfig config = exchange.getAttachment(SessionConfig.ATTACHMENT_KEY);
        Session session = manager.getSession(exchange, config);
        switch (exchange.getRelativePath()) {
            case "/cart/add": {
                if (session == null) {
                    session = manager.createSession(exchange, config);
                }
                List<String> cart = (List<String>) session.getAttribute("cart");
                if (cart == null) {
                    cart = new ArrayList<>();
                    session.setAttribute("cart", cart);
                }
                Deque<String> item = exchange.getQueryParameters().get("item");
                cart.add(item == null ? "apple" : item.getFirst());
                break;
            }
            case "/counter": {
                if (session == null) {
                    session = manager.createSession(exchange, config);
                }
                Integer visits = (Integer) session.getAttribute("visits");
                session.setAttribute("visits", visits == null ? 1 : visits + 1);
                break;
            }
            case "/logout":
                if (session != null) {
                    session.invalidate(exchange);
                    session = null;
                }
                break;
            case "/stats":
                text(exchange, "server=" + System.getProperty("demo.server.name", "?") + "\ncreated=" + CREATED.get() + "\n");
                return;
            default:
                break;
        }
        StringBuilder out = new StringBuilder("server=" + System.getProperty("demo.server.name", "?") + "\n");
        if (session == null) {
            out.append("session=none\n");
        } else {
            out.append("id=").append(session.getId()).append('\n');
            out.append("created=").append(session.getCreationTime()).append('\n');
            out.append("maxInactive=").append(session.getMaxInactiveInterval()).append('\n');
            for (String name : new TreeSet<>(session.getAttributeNames())) {
                out.append("attr.").append(name).append('=').append(session.getAttribute(name)).append('\n');
            }
        }
        text(exchange, out.toString());
    }

    private static void text(HttpServerExchange exchange, String body) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain;charset=UTF-8");
        exchange.getResponseSender().send(body);
    }
}
