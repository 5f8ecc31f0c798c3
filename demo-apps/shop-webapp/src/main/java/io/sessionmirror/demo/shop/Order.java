package io.sessionmirror.demo.shop;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * An order whose third line keeps a reference to a helper that is not Serializable, deep in the graph, as
 * real applications do by accident (a data source, a client): the whole attribute cannot be stored, and
 * only the path to that reference tells the developer which field to make transient.
 */
public class Order implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<Line> lines = new ArrayList<>();

    /** One line of the order; {@code supplier} is where the non-serializable helper hides. */
    public static class Line implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String item;
        private final Object supplier;

        Line(String item, Object supplier) {
            this.item = item;
            this.supplier = supplier;
        }

        @Override
        public String toString() {
            return item;
        }
    }

    /** Three lines, the third of which holds a {@link ClickTracker}. */
    public static Order withUnserializableThirdLine() {
        Order order = new Order();
        order.lines.add(new Line("apple", null));
        order.lines.add(new Line("pear", null));
        order.lines.add(new Line("plum", new ClickTracker()));
        return order;
    }

    @Override
    public String toString() {
        return "Order" + lines;
    }
}
