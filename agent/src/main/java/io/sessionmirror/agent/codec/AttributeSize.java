package io.sessionmirror.agent.codec;

/** The serialized size of one attribute (or the principal) in a copy just written: for the report. */
public final class AttributeSize {
    public final String name;
    public final String className;
    public final int bytes;

    AttributeSize(String name, String className, int bytes) {
        this.name = name;
        this.className = className;
        this.bytes = bytes;
    }

    @Override
    public String toString() {
        return "'" + name + "' (" + className + ") " + bytes + " bytes";
    }
}
