package io.sessionmirror.benchmarks;

import io.sessionmirror.agent.codec.ChangeHash;
import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.security.PayloadSeal;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the agent does per changed request (encode), per failover (decode), per request (the change hash
 * of the serialized form, the key), for a shop session of about 2 KB or 20 KB.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// FST reflects into java.base; in a server the agent opens it to itself, here the forked JVM does.
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.math=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CodecBenchmark {

    /** A cart line, as an application would store it. */
    public static final class Item implements Serializable {
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

    @Param({"fst", "java"})
    public String serializer;

    /** Approximate stored size: 2 KB (a cart of 20 items) or 20 KB (200 items). */
    @Param({"2k", "20k"})
    public String size;

    @Param({"plain", "signed+encrypted"})
    public String seal;

    private SessionCodec codec;
    private SessionData data;
    private byte[] payload;
    private ClassLoader loader;
    private SessionKeys keys;
    private String namespace;
    private static final String KEY = "sm:_:/shop:9542D05271D438CFADD753F9A7BBD441";

    @Setup
    public void setUp() throws Exception {
        loader = CodecBenchmark.class.getClassLoader();
        PayloadSeal s = seal.equals("plain") ? null : new PayloadSeal(List.of("benchmark secret of some length"), true);
        codec = new SessionCodec(s, -1, serializer.equals("fst") ? new FstSerializer() : new JavaSerializer());
        List<Item> cart = new ArrayList<>();
        for (int i = 0; i < (size.equals("2k") ? 20 : 200); i++) {
            cart.add(new Item(i));
        }
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("cart", cart);
        attributes.put("user", "alice@example.com");
        attributes.put("visits", 42);
        attributes.put("locale", java.util.Locale.UK);
        data = new SessionData("9542D05271D438CFADD753F9A7BBD441", System.currentTimeMillis(), 1800, "FORM", null,
                attributes);
        payload = codec.encode(data, loader, 7, KEY).payload;
        keys = new SessionKeys("sm");
        namespace = keys.namespace(null, "/shop");
    }

    @Benchmark
    public byte[] encode() throws Exception {
        return codec.encode(data, loader, 8, KEY).payload;
    }

    @Benchmark
    public SessionData decode() throws Exception {
        return codec.decode(payload, loader, data.id(), KEY).data;
    }

    @Benchmark
    public long changeHash() {
        return ChangeHash.of(payload);
    }

    @Benchmark
    public String key() {
        return keys.key(namespace, "9542D05271D438CFADD753F9A7BBD441.node-a");
    }
}
