package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;
import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores the sections of a verified format-5 copy, each on its own: an attribute whose class is missing,
 * changed incompatibly, fails to link, or whose readObject throws, is dropped and reported, and every other
 * one restored. Three things still refuse the whole copy: a class the filter denies (a security signal, the
 * {@link ClassFilter.RejectedClassException} goes up), running out of heap or stack (the same for every
 * section, see {@link SessionCodec#decode}), and a JVM that is broken ({@link VirtualMachineError}).
 */
final class SectionDecoder {

    final Principal principal;
    final Map<String, Object> attributes;
    final List<DroppedAttribute> dropped;

    private SectionDecoder(Principal principal, Map<String, Object> attributes, List<DroppedAttribute> dropped) {
        this.principal = principal;
        this.attributes = attributes;
        this.dropped = dropped;
    }

    static SectionDecoder decode(Serializer reader, List<Section> sections, ClassLoader loader) throws IOException {
        Map<String, Object> attributes = new HashMap<>(Math.max(4, (int) (sections.size() / 0.75f) + 1));
        List<DroppedAttribute> dropped = new ArrayList<>(0);
        Principal principal = null;
        for (Section s : sections) {
            if (!s.live()) {
                continue;
            }
            Object value;
            try {
                value = reader.deserialize(s.bytes, loader);
            } catch (ClassFilter.RejectedClassException e) {
                throw e;
            } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
                dropped.add(drop(s, e));
                continue;
            } catch (StackOverflowError e) {
                dropped.add(tooDeep(s)); // the stack unwound to here: only this attribute is too deep to read
                continue;
            } catch (VirtualMachineError e) {
                throw e; // out of memory: the whole decode fails, as for a graph (SessionCodec.decode)
            } catch (Error e) {
                dropped.add(drop(s, e)); // whatever a readObject or static initializer throws (AssertionError...)
                continue;
            }
            if (value == null && s.bytes.length > 0 && s.kind != Section.PRINCIPAL) {
                // Sessions hold no null values: the class's readResolve refused to come back here (Jetty's
                // SessionAuthentication does when it finds no login service). Reported, not left out silently.
                dropped.add(new DroppedAttribute(s.name, s.className, "its class restored it as null (readResolve)"));
                continue;
            }
            if (s.kind == Section.PRINCIPAL) {
                if (value instanceof Principal) {
                    principal = (Principal) value;
                } else {
                    dropped.add(new DroppedAttribute(s.name, s.className, "not a java.security.Principal: "
                            + (value == null ? "null" : value.getClass().getName())));
                }
            } else {
                attributes.put(s.name, value);
            }
        }
        return new SectionDecoder(principal, attributes, dropped);
    }

    /** Rethrows what must refuse the whole copy; otherwise the reason the section is dropped. */
    private static DroppedAttribute drop(Section s, Throwable e) throws IOException {
        ClassFilter.RejectedClassException denied = Envelope.rejection(e);
        if (denied != null) {
            throw denied;
        }
        // The serializers turn running out of heap or stack into an exception, with the error as its cause. Out of
        // heap fails the whole decode (SessionCodec.decode says why); a stack overflow has unwound by now and says
        // only that this one attribute is nested too deeply: it alone is dropped, the login and the rest restored.
        Throwable exhausted = SerializationOutOfMemoryException.find(e);
        if (exhausted != null) {
            throw (VirtualMachineError) exhausted;
        }
        if (stackOverflow(e) != null) {
            return tooDeep(s);
        }
        return new DroppedAttribute(s.name, s.className, reason(e));
    }

    private static DroppedAttribute tooDeep(Section s) {
        return new DroppedAttribute(s.name, s.className, "is nested too deeply to read here (stack overflow)");
    }

    private static StackOverflowError stackOverflow(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof StackOverflowError) {
                return (StackOverflowError) t;
            }
        }
        return null;
    }

    /** {@code InvalidClassException: com.shop.Item; local class incompatible: ... = 1, ... = 2}. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        String r = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        Throwable c = e.getCause();
        if (c != null && c != e && (m == null || !m.contains(String.valueOf(c.getMessage())))) {
            r += " (" + c + ")";
        }
        return r.length() > 500 ? r.substring(0, 500) + "..." : r;
    }
}
