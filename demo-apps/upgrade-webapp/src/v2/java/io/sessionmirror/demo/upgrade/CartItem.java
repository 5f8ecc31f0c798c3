package io.sessionmirror.demo.upgrade;

import java.io.Serializable;

/**
 * A line of the cart, as release v2 has it: the quantity became a long and the serialVersionUID was raised with
 * it (an incompatible change on purpose), so a v1 cart does not deserialize here.
 */
public final class CartItem implements Serializable {

    private static final long serialVersionUID = 2L;

    private final String name;
    private final long quantity;

    public CartItem(String name, long quantity) {
        this.name = name;
        this.quantity = quantity;
    }

    @Override
    public String toString() {
        return quantity + "x" + name;
    }
}
