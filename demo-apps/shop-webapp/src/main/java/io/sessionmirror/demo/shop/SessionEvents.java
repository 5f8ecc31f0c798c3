package io.sessionmirror.demo.shop;

import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.http.HttpSessionAttributeListener;
import javax.servlet.http.HttpSessionBindingEvent;
import javax.servlet.http.HttpSessionEvent;
import javax.servlet.http.HttpSessionListener;

/** Counts session lifecycle events in this web app, shown on /stats. */
public class SessionEvents implements HttpSessionListener, HttpSessionAttributeListener {

    static final AtomicInteger CREATED = new AtomicInteger();
    static final AtomicInteger DESTROYED = new AtomicInteger();
    static final AtomicInteger ATTRIBUTES_ADDED = new AtomicInteger();

    @Override
    public void sessionCreated(HttpSessionEvent se) {
        CREATED.incrementAndGet();
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent se) {
        DESTROYED.incrementAndGet();
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent event) {
        ATTRIBUTES_ADDED.incrementAndGet();
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent event) {
        // not counted
    }

    @Override
    public void attributeReplaced(HttpSessionBindingEvent event) {
        // not counted
    }
}
