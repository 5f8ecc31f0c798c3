package io.sessionmirror.agent.codec;

/**
 * An attribute (or the principal) of a stored copy that could not be restored here, e.g. its class is
 * missing or changed incompatibly since the copy was written; every other attribute was restored.
 */
public final class DroppedAttribute {
    public final String name;
    public final String className;
    /** e.g. {@code InvalidClassException: com.shop.Item; local class incompatible: ...}. */
    public final String reason;

    DroppedAttribute(String name, String className, String reason) {
        this.name = name;
        this.className = className;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "'" + name + "' (" + className + "): " + reason;
    }
}
