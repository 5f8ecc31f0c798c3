package io.sessionmirror.demo.boot;

import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The shop's HTTP contract; every answer is plain text, one key=value per line. */
@RestController
public class ShopController {

    private static final MediaType TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final Cart cart;
    private final SessionStats stats;

    public ShopController(Cart cart, SessionStats stats) {
        this.cart = cart; // scoped proxy
        this.stats = stats;
    }

    @GetMapping("/cart/add")
    public ResponseEntity<String> addToCart(@RequestParam("item") String item, HttpServletRequest request) {
        cart.add(item);
        return report(request);
    }

    @GetMapping("/counter")
    public ResponseEntity<String> counter(HttpServletRequest request) {
        HttpSession session = request.getSession();
        Integer visits = (Integer) session.getAttribute("visits");
        session.setAttribute("visits", visits == null ? 1 : visits + 1);
        return report(request);
    }

    @GetMapping("/login")
    public ResponseEntity<String> login(@RequestParam("user") String user, HttpServletRequest request) {
        request.getSession(); // changeSessionId needs a session
        request.changeSessionId();
        request.getSession().setAttribute("user", user);
        return report(request);
    }

    @GetMapping("/logout")
    public ResponseEntity<String> logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return report(request);
    }

    @GetMapping("/session")
    public ResponseEntity<String> session(HttpServletRequest request) {
        return report(request);
    }

    @GetMapping("/stats")
    public ResponseEntity<String> stats() {
        String body = "server=" + ServerName.get() + "\n"
                + "created=" + stats.created() + "\n"
                + "destroyed=" + stats.destroyed() + "\n";
        return ResponseEntity.ok().contentType(TEXT).body(body);
    }

    private static ResponseEntity<String> report(HttpServletRequest request) {
        StringBuilder out = new StringBuilder();
        out.append("server=").append(ServerName.get()).append('\n');
        HttpSession session = request.getSession(false);
        if (session == null) {
            out.append("session=none\n");
        } else {
            out.append("id=").append(session.getId()).append('\n');
            out.append("new=").append(session.isNew()).append('\n');
            out.append("created=").append(session.getCreationTime()).append('\n');
            out.append("maxInactive=").append(session.getMaxInactiveInterval()).append('\n');
            List<String> names = Collections.list(session.getAttributeNames());
            Collections.sort(names);
            for (String name : names) {
                out.append("attr.").append(name).append('=')
                        .append(String.valueOf(session.getAttribute(name))).append('\n');
            }
        }
        return ResponseEntity.ok().contentType(TEXT).body(out.toString());
    }
}
