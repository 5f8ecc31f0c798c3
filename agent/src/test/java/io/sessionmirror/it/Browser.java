package io.sessionmirror.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One user: keeps the session cookie like a browser would, and reads the shop's key=value pages. */
public final class Browser {

    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]*)");
    /** Shared: cookies are kept per Browser by hand, so one client (and its connection pool) serves every user. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final HttpClient client = CLIENT;
    private String sessionId;

    public String sessionId() {
        return sessionId;
    }

    public void sessionId(String id) {
        this.sessionId = id;
    }

    /** GETs the URL and returns its {@code key=value} lines; fails on a status other than 200. */
    public Map<String, String> get(String url) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (sessionId != null) {
            req.header("Cookie", "JSESSIONID=" + sessionId);
        }
        HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
        Optional<String> setCookie = r.headers().allValues("Set-Cookie").stream()
                .filter(v -> v.startsWith("JSESSIONID=")).findFirst();
        if (setCookie.isPresent()) {
            Matcher m = SESSION_COOKIE.matcher(setCookie.get());
            if (m.find()) {
                sessionId = m.group(1);
            }
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return facts;
    }
}
