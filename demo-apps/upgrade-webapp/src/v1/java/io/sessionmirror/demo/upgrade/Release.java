package io.sessionmirror.demo.upgrade;

/** Which release of the app this is, shown on every page. */
final class Release {

    static final String NAME = "v1";

    private Release() {
    }
}
