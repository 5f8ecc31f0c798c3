package io.sessionmirror.demo.upgrade;

import java.io.Serializable;

/** The user's display preferences, as release v1 has them. */
public final class Preferences implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String theme;
    private final int pageSize;

    public Preferences(String theme, int pageSize) {
        this.theme = theme;
        this.pageSize = pageSize;
    }

    @Override
    public String toString() {
        return "Preferences[theme=" + theme + ", pageSize=" + pageSize + "]";
    }
}
