package io.sessionmirror.demo.shop;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import javax.servlet.http.HttpSessionActivationListener;
import javax.servlet.http.HttpSessionEvent;

/**
 * A shopping cart kept in the session and changed in place: the shop calls {@link #add} on the object
 * it got from getAttribute and never calls setAttribute again, as most real applications do.
 */
public class Cart implements Serializable, HttpSessionActivationListener {

    private static final long serialVersionUID = 1L;

    private final List<String> items = new ArrayList<>();
    /** How often this cart was activated on a server after being stored elsewhere (not stored itself). */
    private transient int activations;

    public synchronized void add(String item) {
        items.add(item);
    }

    public synchronized List<String> items() {
        return new ArrayList<>(items);
    }

    public int activations() {
        return activations;
    }

    @Override
    public void sessionDidActivate(HttpSessionEvent se) {
        activations++;
    }

    @Override
    public void sessionWillPassivate(HttpSessionEvent se) {
        // nothing to release
    }

    @Override
    public synchronized String toString() {
        return items.toString();
    }
}
