package io.sessionmirror.agent.codec;

/** An attribute (or the principal) left out of the stored session, and why. */
public final class SkippedAttribute {
    public final String name;
    public final String className;
    public final String reason;

    SkippedAttribute(String name, String className, String reason) {
        this.name = name;
        this.className = className;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "'" + name + "' (" + className + ") " + reason;
    }
}
