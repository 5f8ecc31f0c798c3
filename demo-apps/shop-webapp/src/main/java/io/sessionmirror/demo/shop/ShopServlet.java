package io.sessionmirror.demo.shop;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

/**
 * A small shop. Every page says which server answered, the session id and what the session holds, so a
 * person can watch a failover happen.
 * <pre>
 *   /                 the shop page (HTML)
 *   /cart/add?item=x  put an item in the cart (the cart object is changed in place)
 *   /counter          count this visit (?name=x: in the attribute x instead of visits)
 *   /login?user=name  log in (the session id changes, as it should after a login)
 *   /logout           end the session
 *   /renew            give the session a new id (as after a change of privileges), keep its content
 *   /hits?ms=n        count a hit in a counter changed in place (every one of concurrent requests counts);
 *                     with ?ms the request works that long first (a slow AJAX call)
 *   /track?page=x     remember a click in a helper that is not serializable
 *   /unserializable   store an order whose third line holds that helper (not serializable, deep down)
 *   /session          the session as plain text, one fact per line
 *   /stats            session events seen by this web app on this server
 * </pre>
 */
public class ShopServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        doGet(req, resp);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        switch (path) {
            case "/cart/add": {
                HttpSession session = req.getSession();
                Cart cart = (Cart) session.getAttribute("cart");
                if (cart == null) {
                    cart = new Cart();
                    session.setAttribute("cart", cart);
                }
                cart.add(param(req, "item", "apple"));
                redirectOrText(req, resp);
                return;
            }
            case "/counter": {
                HttpSession session = req.getSession();
                String name = param(req, "name", "visits");
                Integer visits = (Integer) session.getAttribute(name);
                session.setAttribute(name, visits == null ? 1 : visits + 1);
                redirectOrText(req, resp);
                return;
            }
            case "/login": {
                HttpSession session = req.getSession();
                req.changeSessionId();
                session.setAttribute("user", param(req, "user", "alice"));
                redirectOrText(req, resp);
                return;
            }
            case "/logout": {
                HttpSession session = req.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
                redirectOrText(req, resp);
                return;
            }
            case "/renew": {
                HttpSession session = req.getSession();
                req.changeSessionId();
                redirectOrText(req, resp);
                return;
            }
            case "/hits": {
                // An AtomicInteger changed in place and set again (so the container sees the change): concurrent
                // requests of one user each count, none overwrites another's increment.
                HttpSession session = req.getSession();
                pause(Long.parseLong(param(req, "ms", "0")));
                java.util.concurrent.atomic.AtomicInteger hits;
                synchronized (session) {
                    hits = (java.util.concurrent.atomic.AtomicInteger) session.getAttribute("hits");
                    if (hits == null) {
                        hits = new java.util.concurrent.atomic.AtomicInteger();
                    }
                }
                int now = hits.incrementAndGet();
                session.setAttribute("hits", hits);
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().println("server=" + serverName());
                resp.getWriter().println("id=" + session.getId());
                resp.getWriter().println("hits=" + now);
                return;
            }
            case "/track": {
                HttpSession session = req.getSession();
                ClickTracker tracker = (ClickTracker) session.getAttribute("tracker");
                if (tracker == null) {
                    tracker = new ClickTracker();
                    session.setAttribute("tracker", tracker);
                }
                tracker.clicked(param(req, "page", "home"));
                redirectOrText(req, resp);
                return;
            }
            case "/unserializable": {
                // An attribute that is Serializable itself but holds something that is not, three levels down.
                req.getSession().setAttribute("order", Order.withUnserializableThirdLine());
                redirectOrText(req, resp);
                return;
            }
            case "/attach": {
                // An uploaded file kept in the session until checkout (random bytes: it does not compress).
                HttpSession session = req.getSession();
                byte[] file = new byte[Integer.parseInt(param(req, "kb", "1")) * 1024];
                new java.util.Random(file.length).nextBytes(file);
                try {
                    session.setAttribute("attachment", file);
                } catch (IllegalStateException loggedOutMeanwhile) {
                    // another request of this user ended the session while the file was read
                    resp.sendError(HttpServletResponse.SC_CONFLICT, "the session ended during the upload");
                    return;
                }
                redirectOrText(req, resp);
                return;
            }
            case "/slow/inc": {
                // A slow request that changes the session: it reads a counter, works for ?ms, then stores n+1.
                // The answer ("n=...") is what the client was acknowledged.
                HttpSession session = req.getSession();
                Integer n = (Integer) session.getAttribute("n");
                pause(Long.parseLong(param(req, "ms", "1000")));
                int next = n == null ? 1 : n + 1;
                session.setAttribute("n", next);
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().println("id=" + session.getId());
                resp.getWriter().println("n=" + next);
                return;
            }
            case "/slow": {
                // A slow request that only holds the session (e.g. a long report).
                HttpSession session = req.getSession();
                pause(Long.parseLong(param(req, "ms", "1000")));
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().println("id=" + session.getId());
                return;
            }
            case "/timeout": {
                HttpSession session = req.getSession();
                session.setMaxInactiveInterval(Integer.parseInt(param(req, "seconds", "1800")));
                redirectOrText(req, resp);
                return;
            }
            case "/session":
                text(req, resp);
                return;
            case "/stats":
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().println("server=" + serverName());
                resp.getWriter().println("created=" + SessionEvents.CREATED.get());
                resp.getWriter().println("destroyed=" + SessionEvents.DESTROYED.get());
                resp.getWriter().println("attributesAdded=" + SessionEvents.ATTRIBUTES_ADDED.get());
                return;
            case "/":
            case "":
                page(req, resp);
                return;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private static void pause(long ms) {
        if (ms > 0) {
            // Said before the work starts, so whoever must act while a request is in progress (a test that stops
            // the server mid-request) can wait for this line rather than guess how long a request takes to arrive.
            System.out.println("shop: a request works " + ms + " ms");
            System.out.flush();
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String param(HttpServletRequest req, String name, String fallback) {
        String v = req.getParameter(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** Scripts and tests ask for text (?format=text); browsers are sent back to the shop page. */
    private void redirectOrText(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if ("text".equals(req.getParameter("format"))) {
            text(req, resp);
        } else {
            resp.sendRedirect(req.getContextPath() + "/");
        }
    }

    private void text(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("server=" + serverName());
        HttpSession session = req.getSession(false);
        if (session == null) {
            out.println("session=none");
            return;
        }
        out.println("id=" + session.getId());
        try {
            out.println("new=" + session.isNew());
            out.println("created=" + session.getCreationTime());
            out.println("maxInactive=" + session.getMaxInactiveInterval());
            for (String name : names(session)) {
                Object value = session.getAttribute(name);
                out.println("attr." + name + "=" + value);
                if (value instanceof Cart) {
                    out.println("cartActivations=" + ((Cart) value).activations());
                }
            }
        } catch (IllegalStateException loggedOutMeanwhile) {
            out.println("session=ended"); // another request of this user invalidated it while this one ran
        }
    }

    private void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        HttpSession session = req.getSession();
        String ctx = req.getContextPath();
        PrintWriter out = resp.getWriter();
        out.println("<!DOCTYPE html><html><head><title>Session Mirror shop</title>"
                + "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
                + ".server{font-size:1.6em;color:#06c}</style></head><body>");
        out.println("<h1>Session Mirror demo shop</h1>");
        out.println("<p>Answered by <span class=server>" + html(serverName()) + "</span> at " + Instant.now() + "</p>");
        out.println("<table><tr><th>Session id</th><td><code>" + html(session.getId()) + "</code></td></tr>");
        out.println("<tr><th>Created</th><td>" + Instant.ofEpochMilli(session.getCreationTime()) + "</td></tr>");
        for (String name : names(session)) {
            out.println("<tr><th>" + html(name) + "</th><td>" + html(String.valueOf(session.getAttribute(name)))
                    + "</td></tr>");
        }
        out.println("</table><p>");
        for (String item : new String[] {"apple", "pear", "coffee", "bread"}) {
            out.println("<a href='" + ctx + "/cart/add?item=" + item + "'>add " + item + "</a> &middot;");
        }
        out.println("<a href='" + ctx + "/counter'>count a visit</a> &middot;");
        out.println("<a href='" + ctx + "/login?user=alice'>log in as alice</a> &middot;");
        out.println("<a href='" + ctx + "/logout'>log out</a></p>");
        out.println("<p>Kill the server named above and reload: another server answers with the same session.</p>");
        out.println("</body></html>");
    }

    private static List<String> names(HttpSession session) {
        List<String> names = new ArrayList<>(Collections.list(session.getAttributeNames()));
        Collections.sort(names);
        return names;
    }

    private static String serverName() {
        String name = System.getProperty("demo.server.name");
        if (name != null) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
