package io.sessionmirror.demo.shop;

import java.util.ArrayList;
import java.util.List;

/**
 * A per-user helper that was never meant to leave the JVM: it is not Serializable. Real applications
 * have such attributes; a session mirror must skip them and keep the rest of the session.
 */
public class ClickTracker {

    private final List<String> pages = new ArrayList<>();

    public synchronized void clicked(String page) {
        pages.add(page);
    }

    @Override
    public synchronized String toString() {
        return "ClickTracker" + pages;
    }
}
