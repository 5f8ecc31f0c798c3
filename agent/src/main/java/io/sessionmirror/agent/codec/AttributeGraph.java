package io.sessionmirror.agent.codec;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serializes a session's principal and attributes as one object graph ({@code Object[]{principal,
 * attributes}}), so references shared between attributes survive. Attributes that cannot be serialized are
 * left out one by one and reported, so one bad attribute never costs the whole session.
 */
final class AttributeGraph {

    private static final String NOT_SERIALIZABLE = "does not implement java.io.Serializable";
    private static final String PRINCIPAL = "(principal)";

    /** The serialized graph and what had to be left out of it. */
    final byte[] bytes;
    final List<SkippedAttribute> skipped;

    private AttributeGraph(byte[] bytes, List<SkippedAttribute> skipped) {
        this.bytes = bytes;
        this.skipped = skipped;
    }

    /**
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws SerializationOutOfMemoryException when the heap ran out: no culprit to look for
     * @throws IOException when the remaining attributes still cannot be serialized
     */
    static AttributeGraph write(Serializer serializer, SessionData data, ClassLoader loader) throws IOException {
        List<SkippedAttribute> skipped = new ArrayList<>(0);
        Map<String, Object> kept = new LinkedHashMap<>();
        // Sorted, so equal contents always give equal bytes and the change hash is stable.
        String[] names = data.attributes().keySet().toArray(new String[0]);
        Arrays.sort(names);
        for (String name : names) {
            Object v = data.attributes().get(name);
            if (v == null) {
                continue;
            }
            if (v instanceof Serializable) {
                kept.put(name, v);
            } else {
                skipped.add(new SkippedAttribute(name, v.getClass().getName(), NOT_SERIALIZABLE));
            }
        }
        Principal principal = data.principal();
        if (principal != null && !(principal instanceof Serializable)) {
            skipped.add(new SkippedAttribute(PRINCIPAL, principal.getClass().getName(), NOT_SERIALIZABLE));
            principal = null;
        }
        try {
            return new AttributeGraph(serializer.serialize(new Object[] {principal, kept}, loader), skipped);
        } catch (ConcurrentModificationException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            // Says nothing about the attributes: no culprit to look for, this write is abandoned whole.
            throw new SerializationOutOfMemoryException(e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
        }
        // Something deeper in the graph is not serializable: find the culprits one by one.
        for (String name : new ArrayList<>(kept.keySet())) {
            Object v = kept.get(name);
            String why = whyNot(serializer, v, loader);
            if (why != null) {
                kept.remove(name);
                skipped.add(new SkippedAttribute(name, v.getClass().getName(), why));
            }
        }
        if (principal != null) {
            String why = whyNot(serializer, principal, loader);
            if (why != null) {
                skipped.add(new SkippedAttribute(PRINCIPAL, principal.getClass().getName(), why));
                principal = null;
            }
        }
        return new AttributeGraph(serializeOrRunOutOfMemory(serializer, new Object[] {principal, kept}, loader), skipped);
    }

    /** Why {@code value} cannot be serialized, or null when it can. */
    private static String whyNot(Serializer serializer, Object value, ClassLoader loader)
            throws SerializationOutOfMemoryException {
        try {
            serializer.serialize(value, loader);
            return null;
        } catch (OutOfMemoryError e) {
            // Not the attribute's fault: it must not be left out of the copy for it.
            throw new SerializationOutOfMemoryException(e);
        } catch (NotSerializableException e) {
            return "contains a " + e.getMessage() + ", which is not serializable";
        } catch (StackOverflowError e) {
            return "is nested too deeply to serialize";
        } catch (IOException | RuntimeException e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
            String m = e.getMessage();
            return "cannot be serialized: " + (m == null ? e.getClass().getName() : m);
        }
    }

    private static byte[] serializeOrRunOutOfMemory(Serializer serializer, Object root, ClassLoader loader)
            throws IOException {
        try {
            return serializer.serialize(root, loader);
        } catch (OutOfMemoryError e) {
            throw new SerializationOutOfMemoryException(e);
        } catch (IOException | RuntimeException e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
            throw e;
        }
    }

    /**
     * The {@code n} largest attributes with their serialized sizes, largest first, e.g.
     * {@code 'cart' (com.shop.Cart) 812345 bytes}: for the warning about a session too large to store.
     */
    static List<String> largest(Serializer serializer, SessionData data, ClassLoader loader, int n) {
        List<Object[]> sizes = new ArrayList<>();
        for (Map.Entry<String, Object> e : data.attributes().entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            int size;
            try {
                size = serializer.serialize(v, loader).length;
            } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError ex) {
                continue; // only for a warning: an attribute that cannot be measured now is not listed
            }
            sizes.add(new Object[] {e.getKey(), v.getClass().getName(), size});
        }
        sizes.sort((a, b) -> Integer.compare((Integer) b[2], (Integer) a[2]));
        List<String> out = new ArrayList<>();
        for (Object[] s : sizes.subList(0, Math.min(n, sizes.size()))) {
            out.add("'" + s[0] + "' (" + s[1] + ") " + s[2] + " bytes");
        }
        return out;
    }
}
