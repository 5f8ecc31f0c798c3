package io.sessionmirror.bootstrap;

/**
 * Where {@link MirrorBridge} hands a Throwable that a hook threw, instead of dropping it: the agent logs it
 * and counts it. Implemented inside the agent; JDK types only, like everything on the boot class path.
 */
public interface HookFailureSink {

    /**
     * {@code hook} (a {@link MirrorHooks} method name) of the family in bridge slot {@code slot} threw
     * {@code failure}; the server's call went on as if the agent were not there. Must not throw (what it
     * throws is dropped) and must be cheap: a broken hook may fail on every request.
     */
    void hookFailed(int slot, String hook, Throwable failure);
}
