package io.sessionmirror.agent.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

/**
 * The server members an adapter reaches by reflection, written down so they can be checked before the server
 * is instrumented (the idea of OpenTelemetry's muzzle): read from the class files through a {@link TypePool},
 * nothing is loaded or initialised. A server version that lacks one is then left alone with a line naming
 * it, instead of being instrumented and failing on every request in a catch that nobody hears.
 * <p>
 * Members are grouped under an <em>anchor</em>: a class the family instruments. A group is checked only in a
 * class loader that has its anchor (Undertow's servlet layer may live in another module than its core);
 * within a group a missing owner class or member is a failure. Methods are named with their parameter count
 * ({@code "setId/2"}): parameter types differ between javax and jakarta lines, names and arity do not.
 * Fields and methods are looked for in the owner, its superclasses and its interfaces.
 */
public final class RequiredMembers {

    /** One member (or just a class, when {@code name} is null) that must exist. */
    public static final class Member {
        public final String owner;
        public final String name;
        /** Parameter count of a method; -1 for a field or a class. */
        public final int arity;

        Member(String owner, String name, int arity) {
            this.owner = owner;
            this.name = name;
            this.arity = arity;
        }

        public boolean isField() {
            return name != null && arity < 0;
        }

        public boolean isMethod() {
            return arity >= 0;
        }

        @Override
        public String toString() {
            if (name == null) {
                return "class " + owner;
            }
            return owner + (arity < 0 ? "." + name + " (field)" : "." + name + "(" + arity + " parameters)")
                    .replace("(0 parameters)", "()").replace("(1 parameters)", "(1 parameter)");
        }
    }

    private static final class Group {
        final String anchor;
        final List<Member> members = new ArrayList<>();

        Group(String anchor) {
            this.anchor = anchor;
        }
    }

    private final List<Group> groups = new ArrayList<>();

    /** Starts a group: the members that follow are checked where {@code anchorClass} exists. */
    public RequiredMembers where(String anchorClass) {
        groups.add(new Group(anchorClass));
        return classes(anchorClass);
    }

    /** Classes that must exist beside the anchor. */
    public RequiredMembers classes(String... names) {
        for (String n : names) {
            current().members.add(new Member(n, null, -1));
        }
        return this;
    }

    public RequiredMembers fields(String owner, String... names) {
        for (String n : names) {
            current().members.add(new Member(owner, n, -1));
        }
        return this;
    }

    /** {@code namesWithArity}: e.g. {@code "getContext/0"}, {@code "setAttribute/3"}. */
    public RequiredMembers methods(String owner, String... namesWithArity) {
        for (String n : namesWithArity) {
            int slash = n.indexOf('/');
            current().members.add(new Member(owner, n.substring(0, slash), Integer.parseInt(n.substring(slash + 1))));
        }
        return this;
    }

    private Group current() {
        if (groups.isEmpty()) {
            throw new IllegalStateException("where(anchor) first");
        }
        return groups.get(groups.size() - 1);
    }

    /** Every member written down (for tests that build a server with or without them). */
    public List<Member> all() {
        List<Member> all = new ArrayList<>();
        for (Group g : groups) {
            all.addAll(g.members);
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * The members {@code pool} lacks, in the order written down; empty when every group whose anchor the pool
     * has is complete (or when it has none of the anchors).
     */
    public List<Member> missing(TypePool pool) {
        List<Member> missing = new ArrayList<>();
        for (Group g : groups) {
            if (!pool.describe(g.anchor).isResolved()) {
                continue;
            }
            for (Member m : g.members) {
                if (!present(pool, m)) {
                    missing.add(m);
                }
            }
        }
        return missing;
    }

    private static boolean present(TypePool pool, Member m) {
        TypePool.Resolution r = pool.describe(m.owner);
        if (!r.isResolved()) {
            return false;
        }
        if (m.name == null) {
            return true;
        }
        Set<String> seen = new HashSet<>();
        for (TypeDescription t : hierarchy(r.resolve(), seen)) {
            try {
                if (m.isField() ? !t.getDeclaredFields().filter(f -> f.getName().equals(m.name)).isEmpty()
                        : !t.getDeclaredMethods().filter(md -> md.getName().equals(m.name)
                                && md.getParameters().size() == m.arity).isEmpty()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // a supertype the pool cannot read (not visible from this loader): it cannot count
            }
        }
        return false;
    }

    /** The type, its superclasses and every interface, as far as the pool can read them. */
    private static Set<TypeDescription> hierarchy(TypeDescription type, Set<String> seen) {
        Set<TypeDescription> all = new LinkedHashSet<>();
        List<TypeDescription> todo = new ArrayList<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            TypeDescription t = todo.remove(todo.size() - 1);
            if (!seen.add(t.getName())) {
                continue;
            }
            all.add(t);
            try {
                TypeDescription.Generic sup = t.getSuperClass();
                if (sup != null) {
                    todo.add(sup.asErasure());
                }
                for (TypeDefinition i : t.getInterfaces()) {
                    todo.add(i.asErasure());
                }
            } catch (RuntimeException e) {
                // a supertype the pool cannot read (not visible from this loader): look no further up there
            }
        }
        return all;
    }
}
