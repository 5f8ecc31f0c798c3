package io.sessionmirror.agent.codec;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Serializes a session into format-5 sections: each attribute, and the principal, on its own, so one class
 * that later fails to load costs that one attribute only (the price: an object shared by two attributes is
 * written twice and restored as two copies). An attribute that cannot be serialized is left out and
 * reported, as before. Stamps follow the {@code base} lineage (what the copy this one derives from said):
 * an attribute keeps its stamp while its bytes hash the same, and gets {@code version} when it changed,
 * appeared, or disappeared (a removal marker; the newest {@link #MAX_MARKERS} are kept).
 */
final class SectionEncoder {

    /** Removal markers kept per session: enough for a merge to tell "removed there" from "added here". */
    static final int MAX_MARKERS = 64;
    private static final String NOT_SERIALIZABLE = "does not implement java.io.Serializable";

    final List<Section> sections;
    final List<SkippedAttribute> skipped;
    final List<AttributeSize> sizes;
    final Lineage lineage;

    private SectionEncoder(List<Section> sections, List<SkippedAttribute> skipped, List<AttributeSize> sizes) {
        this.sections = sections;
        this.skipped = skipped;
        this.sizes = sizes;
        this.lineage = SectionsBody.lineageOf(sections);
    }

    /**
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws SerializationOutOfMemoryException when the heap ran out: nothing is left out for it
     */
    static SectionEncoder encode(Serializer serializer, SessionData data, ClassLoader loader, long version,
                                 Lineage base) throws IOException {
        List<Section> sections = new ArrayList<>(data.attributes().size() + 1);
        List<SkippedAttribute> skipped = new ArrayList<>(0);
        List<AttributeSize> sizes = new ArrayList<>(data.attributes().size() + 1);
        String[] names = data.attributes().keySet().toArray(new String[0]);
        Arrays.sort(names);
        Set<String> live = new HashSet<>();
        for (String name : names) {
            Object v = data.attributes().get(name);
            if (v == null) {
                continue;
            }
            byte[] bytes = serialized(serializer, name, v, loader, skipped);
            if (bytes == null) {
                continue;
            }
            String className = className(v);
            long hash = ChangeHash.of(bytes);
            int i = base.indexOf(name);
            long stamp = i >= 0 && !base.removed(i) && base.hash(i) == hash ? base.stamp(i) : version;
            sections.add(new Section(name, className, Section.ATTRIBUTE, stamp, hash, bytes));
            sizes.add(new AttributeSize(name, className, bytes.length));
            live.add(name);
        }
        Principal principal = data.principal();
        if (principal != null) {
            byte[] bytes = serialized(serializer, Section.PRINCIPAL_NAME, principal, loader, skipped);
            if (bytes != null) {
                String className = className(principal);
                sections.add(Section.serialized(Section.PRINCIPAL_NAME, className, Section.PRINCIPAL, version, bytes));
                sizes.add(new AttributeSize(Section.PRINCIPAL_NAME, className, bytes.length));
            }
        }
        sections.addAll(markers(base, live, version));
        Collections.sort(sections);
        return new SectionEncoder(Collections.unmodifiableList(sections), skipped, sizes);
    }

    /** A marker for each name {@code base} has (live or removed) that is not live now; the newest only. */
    private static List<Section> markers(Lineage base, Set<String> live, long version) {
        List<Section> markers = new ArrayList<>(0);
        for (int i = 0; i < base.size(); i++) {
            if (!live.contains(base.name(i))) {
                markers.add(Section.removal(base.name(i), base.removed(i) ? base.stamp(i) : version));
            }
        }
        return newest(markers);
    }

    /** The {@link #MAX_MARKERS} newest of {@code markers} (ties by name, so every writer keeps the same). */
    static List<Section> newest(List<Section> markers) {
        if (markers.size() <= MAX_MARKERS) {
            return markers;
        }
        markers.sort(Comparator.comparingLong((Section s) -> -s.stamp).thenComparing(s -> s.name));
        return new ArrayList<>(markers.subList(0, MAX_MARKERS));
    }

    /** The class name stored with a section; a name too long for the field is cut (it is for reports only). */
    private static String className(Object v) {
        String n = v.getClass().getName();
        return SectionsBody.fits(n) ? n : n.substring(0, 16_000);
    }

    /** The attribute's bytes, or null when it is left out (and added to {@code skipped}). */
    static byte[] serialized(Serializer serializer, String name, Object value, ClassLoader loader,
                             List<SkippedAttribute> skipped) throws IOException {
        String why;
        if (!(value instanceof Serializable)) {
            why = NOT_SERIALIZABLE;
        } else if (!SectionsBody.fits(name)) {
            why = "has a name longer than " + SectionsBody.MAX_NAME_BYTES + " bytes";
        } else {
            try {
                return serializer.serialize(value, loader);
            } catch (ConcurrentModificationException e) {
                throw e;
            } catch (OutOfMemoryError e) {
                // Says nothing about the attribute: no culprit, this write is abandoned whole.
                throw new SerializationOutOfMemoryException(e);
            } catch (NotSerializableException e) {
                why = "contains a " + e.getMessage() + ", which is not serializable";
            } catch (StackOverflowError e) {
                why = "is nested too deeply to serialize";
            } catch (IOException | RuntimeException e) {
                SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
                rethrowIfConcurrentlyModified(e);
                String m = e.getMessage();
                why = "cannot be serialized: " + (m == null ? e.getClass().getName() : m);
            }
        }
        skipped.add(new SkippedAttribute(name, value.getClass().getName(), why));
        return null;
    }

    /** FST wraps what it catches: an attribute changed while it was written is retried, not left out. */
    private static void rethrowIfConcurrentlyModified(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof ConcurrentModificationException) {
                throw (ConcurrentModificationException) t;
            }
        }
    }
}
