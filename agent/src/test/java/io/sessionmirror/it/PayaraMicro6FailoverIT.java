package io.sessionmirror.it;

/** Payara Micro 6 (6.2025.10), on JDK 17 and 21: Payara's Catalina fork, Jakarta EE 10. */
class PayaraMicro6FailoverIT extends AbstractPayaraMicroFailoverIT {
    @Override
    protected String module() {
        return "payara-micro-6";
    }

    @Override
    protected int[] jdks() {
        return new int[] {11, 21};
    }
}
