package io.sessionmirror.demo.upgrade;

import java.io.Serializable;

/** A line of the cart, as release v1 has it. */
public final class CartItem implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final int quantity;

    public CartItem(String name, int quantity) {
        this.name = name;
        this.quantity = quantity;
    }

    @Override
    public String toString() {
        return quantity + "x" + name;
    }
}
