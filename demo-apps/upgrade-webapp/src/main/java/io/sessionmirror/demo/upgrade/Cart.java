package io.sessionmirror.demo.upgrade;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The cart: unchanged between the releases, but its items' class is not (see CartItem in src/v1 and src/v2). */
public final class Cart implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<CartItem> items = new ArrayList<>();

    void add(String name) {
        items.add(new CartItem(name, 1));
    }

    @Override
    public String toString() {
        return items.toString();
    }
}
