package io.sessionmirror.agent.codec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: prints the stored size and encode time of format 5 (one section per attribute) against format 2
 * (one graph) for a shop session, and what independent sections cost for an object shared by two attributes.
 * Run as docs/benchmarks.md ("Issue 19: stored format 5") says.
 */
public final class FormatFiveMeasurement {

    /** A cart line, as the benchmarks' shop session stores it. */
    static final class Item implements Serializable {
        private static final long serialVersionUID = 1L;
        final String sku;
        final String name;
        final int quantity;
        final long priceCents;

        Item(int i) {
            this.sku = "SKU-" + (100_000 + i);
            this.name = "Product number " + i;
            this.quantity = 1 + i % 3;
            this.priceCents = 199 + i * 7L;
        }
    }

    static final class Cart implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<Item> items = new ArrayList<>();
    }

    private FormatFiveMeasurement() {
    }

    static SessionData shop(int items) {
        Cart cart = new Cart();
        for (int i = 0; i < items; i++) {
            cart.items.add(new Item(i));
        }
        Map<String, Object> a = new HashMap<>();
        a.put("cart", cart);
        a.put("user", "alice");
        a.put("visits", 12);
        a.put("locale", "en_GB");
        a.put("theme", "dark");
        return new SessionData("ID", 1L, 1800, null, null, a);
    }

    static SessionData shared(int items) {
        Cart cart = new Cart();
        for (int i = 0; i < items; i++) {
            cart.items.add(new Item(i));
        }
        Map<String, Object> a = new HashMap<>();
        a.put("cart", cart);
        a.put("lastCart", cart);
        return new SessionData("ID", 1L, 1800, null, null, a);
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("| session | serializer | format 2 bytes | format 5 bytes | format 2 encode µs | format 5 encode µs |");
        System.out.println("|---|---|---|---|---|---|");
        for (Serializer s : new Serializer[] {new JavaSerializer(), new FstSerializer()}) {
            row("shop, cart of 3 + 4 strings", s, shop(3), rounds);
            row("shop, cart of 20 + 4 strings", s, shop(20), rounds);
            row("shop, cart of 200 + 4 strings", s, shop(200), rounds);
            row("one cart of 20 under two names", s, shared(20), rounds);
        }
    }

    private static void row(String what, Serializer s, SessionData data, int rounds) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, s);
        ClassLoader loader = FormatFiveMeasurement.class.getClassLoader();
        int f2 = LegacyPayloads.format2(s, data, 1).length;
        int f5 = codec.encode(data, loader, 1, "k").payload.length;
        double t2 = Double.MAX_VALUE;
        double t5 = Double.MAX_VALUE;
        int n = 20_000;
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte[] p = LegacyPayloads.format2(s, data, i);
                sink += LegacyGraph.hash(p, 1800, null); // the old encoder hashed its graph too
            }
            t2 = Math.min(t2, (System.nanoTime() - start) / 1e3 / n);
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += codec.encode(data, loader, i, "k").hash;
            }
            t5 = Math.min(t5, (System.nanoTime() - start) / 1e3 / n);
        }
        System.out.printf("| %s | %s | %d | %d (%+.0f%%) | %.2f | %.2f (%+.0f%%) |%s%n", what, s.name(), f2, f5,
                100.0 * (f5 - f2) / f2, t2, t5, 100.0 * (t5 - t2) / t2, sink == 42 ? " " : "");
    }
}
