package io.sessionmirror.agent.security;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Which classes may be instantiated when a stored session is read. Deserializing bytes that someone else
 * wrote is the classic Java remote-code-execution hole ("gadget chains"), so reading is always filtered:
 * <ul>
 *   <li>a deny-list of the classes known public gadget chains are built from (denied whatever else is
 *       configured), extended by {@code classes.deny};</li>
 *   <li>with {@code classes.allow}, an allow-list: only the listed packages/classes, plus the JDK's plain
 *       value and collection classes and the servers' principal classes, may be read.</li>
 * </ul>
 * Entries are class names or package prefixes ending in '.'.
 */
public final class ClassFilter {

    /**
     * Classes and packages public deserialization gadget chains rely on (ysoserial and later research):
     * transformers, comparators and invocation handlers that run code while a graph is being rebuilt, and
     * the JDK classes that trigger them or load remote code. Everyday data classes that merely trigger a
     * chain (JSON objects, Clojure data) are left out on purpose: they are common in sessions, and a chain
     * also needs one of the classes listed here.
     */
    static final List<String> DEFAULT_DENY = Collections.unmodifiableList(Arrays.asList(
            "org.apache.commons.collections.functors.",
            "org.apache.commons.collections4.functors.",
            "org.apache.commons.collections.keyvalue.TiedMapEntry",
            "org.apache.commons.collections4.keyvalue.TiedMapEntry",
            "org.apache.commons.collections.map.LazyMap",
            "org.apache.commons.collections4.map.LazyMap",
            "org.apache.commons.collections.comparators.TransformingComparator",
            "org.apache.commons.collections4.comparators.TransformingComparator",
            "org.apache.commons.beanutils.BeanComparator",
            "org.apache.commons.fileupload.disk.DiskFileItem",
            "org.apache.wicket.util.upload.DiskFileItem",
            "org.codehaus.groovy.runtime.ConvertedClosure",
            "org.codehaus.groovy.runtime.MethodClosure",
            "org.springframework.beans.factory.ObjectFactory",
            "org.springframework.beans.factory.support.AutowireUtils$ObjectFactoryDelegatingInvocationHandler",
            "org.springframework.core.SerializableTypeWrapper$",
            "org.springframework.aop.framework.JdkDynamicAopProxy",
            "org.springframework.transaction.jta.JtaTransactionManager",
            "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
            "org.apache.xalan.xsltc.trax.TemplatesImpl",
            "sun.reflect.annotation.AnnotationInvocationHandler",
            "javax.management.BadAttributeValueExpException",
            "javax.management.openmbean.CompositeDataInvocationHandler",
            "java.rmi.server.RemoteObjectInvocationHandler",
            "java.rmi.server.UnicastRemoteObject",
            "sun.rmi.server.",
            "sun.rmi.transport.",
            "com.sun.jndi.",
            "com.sun.rowset.JdbcRowSetImpl",
            "javax.naming.Reference",
            "com.mchange.v2.c3p0.",
            "org.hibernate.tuple.component.AbstractComponentTuplizer",
            "org.hibernate.property.access.spi.GetterMethodImpl",
            "org.hibernate.engine.spi.TypedValue",
            "bsh.",
            "clojure.core$",
            "clojure.main$",
            "org.python.core.",
            "org.mozilla.javascript.",
            "com.sun.syndication.feed.impl.ObjectBean",
            "com.rometools.rome.feed.impl.ObjectBean",
            "com.vaadin.data.util.NestedMethodProperty",
            "org.apache.myfaces.view.facelets.el.ValueExpressionMethodExpression",
            "org.apache.click.control.Column$ColumnComparator",
            "org.jboss.interceptor.",
            "org.jboss.weld.interceptor.",
            "java.lang.ProcessBuilder",
            "java.lang.Runtime",
            "java.lang.reflect.Proxy",
            "javax.script."));

    /** Read even with an allow-list: plain JDK values and collections, and the servers' principals. */
    static final List<String> ALWAYS_ALLOWED = Collections.unmodifiableList(Arrays.asList(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Character", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Enum", "java.lang.Object", "java.lang.StackTraceElement", "java.lang.Throwable",
            "java.lang.Exception", "java.lang.RuntimeException",
            "java.util.", "java.time.", "java.math.", "java.net.URI", "java.util.concurrent.",
            "org.apache.catalina.realm.GenericPrincipal", "org.apache.catalina.users.",
            "org.eclipse.jetty.security.", "io.undertow.security."));

    private final List<String> allow;
    private final List<String> deny;

    public ClassFilter(List<String> allow, List<String> deny) {
        this.allow = allow == null || allow.isEmpty() ? null : new ArrayList<>(allow);
        this.deny = deny == null ? Collections.emptyList() : new ArrayList<>(deny);
    }

    /** The default: the deny-list only. */
    public static final ClassFilter DEFAULT = new ClassFilter(null, null);

    /** Why {@code className} may not be read, or null when it may. Arrays are judged by their element class. */
    public String rejection(String className) {
        String name = elementName(className);
        if (name == null) {
            return null; // an array of primitives
        }
        for (String d : deny) {
            if (matches(d, name)) {
                return "class " + name + " is denied by the deserialization filter (classes.deny " + d + ")";
            }
        }
        for (String d : DEFAULT_DENY) {
            if (matches(d, name) && !explicitlyAllowed(d, name)) {
                return "class " + name + " is denied by the deserialization filter (a known gadget class: " + d
                        + "; see docs/security.md)";
            }
        }
        if (allow != null && !listed(ALWAYS_ALLOWED, name) && !listed(allow, name)) {
            return "class " + name + " is not in classes.allow";
        }
        return null;
    }

    /**
     * A default denial is lifted only by an allow entry at least as specific as the denied entry, so that
     * allowing a whole library (org.apache.commons.collections.) does not allow its gadget package.
     */
    private boolean explicitlyAllowed(String denied, String name) {
        if (allow == null) {
            return false;
        }
        for (String a : allow) {
            if (matches(a, name) && a.startsWith(denied)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listed(List<String> patterns, String name) {
        for (String p : patterns) {
            if (matches(p, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".") || pattern.endsWith("$")) {
            return name.startsWith(pattern);
        }
        return name.equals(pattern) || name.startsWith(pattern + "$");
    }

    /** "[[Lcom.x.Y;" to "com.x.Y"; null for primitive arrays. */
    private static String elementName(String className) {
        int dims = 0;
        while (dims < className.length() && className.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return className;
        }
        if (className.length() > dims + 1 && className.charAt(dims) == 'L' && className.endsWith(";")) {
            return className.substring(dims + 1, className.length() - 1);
        }
        return null;
    }

    /** The exception a serializer throws for a rejected class. */
    public static final class RejectedClassException extends java.io.InvalidClassException {
        private static final long serialVersionUID = 1L;

        public RejectedClassException(String reason) {
            super(reason);
        }
    }

    /** What the filtering loader throws, so a serializer can tell a refusal from a class that is missing. */
    public static final class DeniedClassNotFoundException extends ClassNotFoundException {
        private static final long serialVersionUID = 1L;

        DeniedClassNotFoundException(String reason) {
            super(reason);
        }
    }

    /** A class loader view that refuses the filtered classes (for serializers that resolve classes through a loader). */
    public static final class FilteringClassLoader extends ClassLoader {
        private final ClassLoader target;
        private final ClassFilter filter;

        public FilteringClassLoader(ClassLoader target, ClassFilter filter) {
            super(null);
            this.target = target;
            this.filter = filter;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            String why = filter.rejection(name);
            if (why != null) {
                throw new DeniedClassNotFoundException(why);
            }
            return Class.forName(name, false, target);
        }

        @Override
        public java.net.URL getResource(String name) {
            return target.getResource(name);
        }
    }
}
