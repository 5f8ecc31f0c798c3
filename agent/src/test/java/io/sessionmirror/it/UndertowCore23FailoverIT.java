package io.sessionmirror.it;

/** undertow-core 2.3 alone (no servlet layer). */
class UndertowCore23FailoverIT extends AbstractUndertowCoreFailoverIT {
    @Override
    protected String line() {
        return "undertow-core-2.3";
    }
}
