package io.sessionmirror.demo.upgrade;

import java.io.Serializable;

/**
 * The user's display preferences, as release v2 has them: a field was added and the serialVersionUID kept (a
 * compatible change), so a v1 copy deserializes here with the new field at its default (null).
 */
public final class Preferences implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String theme;
    private final int pageSize;
    private final String currency;

    public Preferences(String theme, int pageSize) {
        this.theme = theme;
        this.pageSize = pageSize;
        this.currency = "EUR";
    }

    @Override
    public String toString() {
        return "Preferences[theme=" + theme + ", pageSize=" + pageSize + ", currency=" + currency + "]";
    }
}
