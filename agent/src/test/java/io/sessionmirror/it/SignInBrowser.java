package io.sessionmirror.it;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A user who signs in with a form: like {@link Browser} it keeps the session cookie, and it also posts forms and
 * shows every answer (status, redirect, body) instead of failing on a status other than 200, since a login is a
 * dance of redirects and a lost login shows as one.
 */
final class SignInBrowser {

    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]*)");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private String sessionId;

    /** One answer: its status, where it redirects (or null) and its {@code key=value} lines. */
    static final class Page {
        private final int status;
        private final String location;
        private final Map<String, String> facts;
        private final String body;

        Page(int status, String location, Map<String, String> facts, String body) {
            this.status = status;
            this.location = location;
            this.facts = facts;
            this.body = body;
        }

        int status() {
            return status;
        }

        String location() {
            return location;
        }

        Map<String, String> facts() {
            return facts;
        }

        String get(String key) {
            return facts.get(key);
        }

        @Override
        public String toString() {
            return status + (location == null ? "" : " -> " + location) + "\n" + body;
        }
    }

    String sessionId() {
        return sessionId;
    }

    Page get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    Page post(String url, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Page send(HttpRequest.Builder req) throws Exception {
        req.timeout(Duration.ofSeconds(30));
        if (sessionId != null) {
            req.header("Cookie", "JSESSIONID=" + sessionId);
        }
        HttpResponse<String> r = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString());
        r.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith("JSESSIONID=")).findFirst().ifPresent(cookie -> {
            Matcher m = SESSION_COOKIE.matcher(cookie);
            if (m.find()) {
                sessionId = m.group(1);
            }
        });
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        // a relative Location (Jetty's) is resolved as a browser does, against the URL asked for
        String location = r.headers().firstValue("Location").map(l -> r.uri().resolve(l).toString()).orElse(null);
        return new Page(r.statusCode(), location, facts, r.body());
    }
}
