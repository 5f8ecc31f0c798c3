package io.sessionmirror.it;

/** undertow-core 2.4 alone (no servlet layer). */
class UndertowCore24FailoverIT extends AbstractUndertowCoreFailoverIT {
    @Override
    protected String line() {
        return "undertow-core-2.4";
    }
}
