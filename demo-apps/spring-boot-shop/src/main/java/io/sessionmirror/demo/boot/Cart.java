package io.sessionmirror.demo.boot;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;
import org.springframework.web.context.annotation.SessionScope;

/**
 * Session-scoped shopping cart. Spring stores the target instance as the
 * session attribute {@code scopedTarget.cart}; it is mutated in place.
 */
@SessionScope
@Component
public class Cart implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<String> items = new ArrayList<>();

    public void add(String item) {
        items.add(item);
    }

    public List<String> getItems() {
        return items;
    }

    @Override
    public String toString() {
        return items.toString();
    }
}
