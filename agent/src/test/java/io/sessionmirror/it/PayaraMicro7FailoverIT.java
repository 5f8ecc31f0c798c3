package io.sessionmirror.it;

/**
 * Payara Micro 7 (7.2026.11), which needs JDK 21 or later: its whole contract runs in the build's JDK 25 pass
 * (profile jdk25, execution servers-needing-jdk21), and it is skipped where the servers run on JDK 17.
 */
class PayaraMicro7FailoverIT extends AbstractPayaraMicroFailoverIT {
    @Override
    protected String module() {
        return "payara-micro-7";
    }

    @Override
    protected int[] jdks() {
        return new int[] {21, Integer.MAX_VALUE};
    }
}
