package io.sessionmirror.demo.boot;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.springframework.stereotype.Component;

/** Counts session lifecycle events seen by this JVM. */
@Component
public class SessionStats implements HttpSessionListener {

    private final AtomicLong created = new AtomicLong();
    private final AtomicLong destroyed = new AtomicLong();

    @Override
    public void sessionCreated(HttpSessionEvent se) {
        created.incrementAndGet();
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent se) {
        destroyed.incrementAndGet();
    }

    public long created() {
        return created.get();
    }

    public long destroyed() {
        return destroyed.get();
    }
}
