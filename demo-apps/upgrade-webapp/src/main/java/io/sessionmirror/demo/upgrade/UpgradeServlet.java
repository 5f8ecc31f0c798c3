package io.sessionmirror.demo.upgrade;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;
import java.util.Collections;

/**
 * The pages of the upgrade shop, as {@code key=value} lines a test reads:
 * <ul>
 *   <li>{@code /stats}: server and release, no session (a readiness probe);</li>
 *   <li>{@code /cart/add?item=x}: one more item in the cart (attribute {@code cart});</li>
 *   <li>{@code /prefs?theme=x&pageSize=n}: the display preferences (attribute {@code prefs});</li>
 *   <li>{@code /session}: the session and its attributes, or {@code session=none};</li>
 *   <li>{@code /account}: the same behind the container's FORM login ({@code /login}, {@code /login-error});</li>
 *   <li>{@code /secure/account}: the same behind Spring Security's form login ({@code /secure/login}).</li>
 * </ul>
 * Every page names the signed-in user as the server sees it ({@code remoteUser}, {@code principal}).
 */
public final class UpgradeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("server=" + System.getProperty("demo.server.name", "?"));
        out.println("release=" + Release.NAME);
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        switch (path) {
            case "/stats":
                return;
            case "/login":
            case "/secure/login":
                // the login forms: a test posts the credentials itself, a person would see these fields
                out.println("login-form=" + (path.startsWith("/secure") ? "spring" : "container"));
                out.println("fields=" + (path.startsWith("/secure") ? "username,password" : "j_username,j_password"));
                return;
            case "/login-error":
                out.println("login-error=container");
                return;
            case "/cart/add": {
                HttpSession session = req.getSession();
                Cart cart = (Cart) session.getAttribute("cart");
                if (cart == null) {
                    cart = new Cart();
                }
                cart.add(req.getParameter("item"));
                session.setAttribute("cart", cart);
                break;
            }
            case "/prefs":
                req.getSession().setAttribute("prefs",
                        new Preferences(req.getParameter("theme"), Integer.parseInt(req.getParameter("pageSize"))));
                break;
            default:
                break;
        }
        describe(req, out);
    }

    private static void describe(HttpServletRequest req, PrintWriter out) {
        Principal principal = req.getUserPrincipal();
        out.println("remoteUser=" + req.getRemoteUser());
        out.println("principal=" + (principal == null ? null : principal.getName()));
        HttpSession session = req.getSession(false);
        if (session == null) {
            out.println("session=none");
            return;
        }
        out.println("id=" + session.getId());
        out.println("new=" + session.isNew());
        for (String name : Collections.list(session.getAttributeNames())) {
            if (name.equals("cart") || name.equals("prefs")) {
                out.println("attr." + name + "=" + session.getAttribute(name));
            } else {
                out.println("other=" + name); // the servers' and Spring Security's own attributes
            }
        }
    }
}
