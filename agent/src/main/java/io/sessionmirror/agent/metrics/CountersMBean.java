package io.sessionmirror.agent.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.ReflectionException;

/**
 * What JMX shows, per web app ({@code sessionmirror:type=WebApp,name="<host>:<path>"}) and for the whole
 * agent ({@code sessionmirror:type=Agent}): the web app's name, every counter of {@link Counters} that has
 * an attribute name, and the values derived from them. Read-only; counters count since the agent started.
 */
final class CountersMBean implements DynamicMBean {

    /** One read-only attribute. */
    private static final class Value {
        final String type;
        final String description;
        final Supplier<Object> read;

        Value(String type, String description, Supplier<Object> read) {
            this.type = type;
            this.description = description;
            this.read = read;
        }
    }

    private final Map<String, Value> values = new LinkedHashMap<>();
    private final MBeanInfo info;

    /** @param perWebApp whether {@code counters} are a web app's: only those have a {@link SessionReport} to show */
    CountersMBean(String webApp, Counters counters, IntSupplier queueDepth, boolean perWebApp) {
        add("WebApp", "java.lang.String", "The web app (\"Tomcat web app '/shop' on host localhost\"), or \"all web apps\"",
                () -> webApp);
        for (Counters.Counter c : counters.all()) {
            if (c.attribute != null) {
                add(c.attribute, "long", c.help + (c.scope == Counters.Scope.AGENT ? " (counted for the whole agent only)"
                        : ""), c::value);
            }
        }
        add("AgentMicrosPerRequest", "double", "Average time the agent spent on a request thread, in microseconds", () -> {
            long n = counters.requests.sum();
            return n == 0 ? 0.0 : counters.requestNanos.sum() / 1000.0 / n;
        });
        add("QueueDepth", "int", "Sessions waiting for an asynchronous write (shared by every web app)",
                queueDepth::getAsInt);
        add("WriteLatencyP50Millis", "double", "Median time to write a session", () -> counters.writeNanos.percentile(50) / 1e6);
        add("WriteLatencyP99Millis", "double", "99th percentile time to write a session",
                () -> counters.writeNanos.percentile(99) / 1e6);
        add("SerializeP50Micros", "double", "Median time to serialize a session",
                () -> counters.serializeNanos.percentile(50) / 1e3);
        add("SerializeP99Micros", "double", "99th percentile time to serialize a session",
                () -> counters.serializeNanos.percentile(99) / 1e3);
        add("WriteDelayP99Millis", "double", "write=async: 99th percentile time from the end of a changing request to"
                + " its write's answer (the window a crash of this server loses)",
                () -> counters.writeDelayNanos.percentile(99) / 1e6);
        if (perWebApp) {
            SessionReport report = counters.report;
            add("LiveSessions", "int", "Sessions of this web app the agent tracks on this server now",
                    report::liveSessions);
            add("StoredSizeHistogram", "[Ljava.lang.String;", "Sizes of the copies written (as stored) since the agent"
                    + " started, one line per range", report::sizeHistogram);
            add("LargestAttributes", "[Ljava.lang.String;", "The 5 attributes largest by average serialized size",
                    () -> report.largestAttributes(5));
            add("SkippedAttributeReasons", "[Ljava.lang.String;", "Attributes left out of stored copies, and why",
                    report::skipped);
        }
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        values.forEach((name, v) -> attributes.add(new MBeanAttributeInfo(name, v.type, v.description, true, false, false)));
        info = new MBeanInfo(CountersMBean.class.getName(), "Session Mirror counters",
                attributes.toArray(new MBeanAttributeInfo[0]), null, null, null);
    }

    private void add(String name, String type, String description, Supplier<Object> read) {
        values.put(name, new Value(type, description, read));
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Value v = values.get(attribute);
        if (v == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return v.read.get();
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList out = new AttributeList();
        for (String name : attributes) {
            Value v = values.get(name);
            if (v != null) {
                out.add(new Attribute(name, v.read.get()));
            }
        }
        return out;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName));
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
