package io.sessionmirror.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading jcmd's class histogram and telling the agent's classes from the JDK's, Tomcat's and the demo's. */
class ClassHistogramTest {

    private static final String JCMD = "12345:\n"
            + " num     #instances         #bytes  class name (module)\n"
            + "-------------------------------------------------------\n"
            + "   1:        120000       9600000  [B (java.base@17.0.15)\n"
            + "   2:        100000       2400000  io.sessionmirror.agent.core.SessionState\n"
            + "   3:        100000       3200000  io.sessionmirror.shaded.nustaq.serialization.FSTObjectOutput\n"
            + "   4:             2           4096  [Lio.sessionmirror.agent.core.SessionState;\n"
            + "   5:        100000       4000000  io.sessionmirror.demo.shop.Cart\n"
            + "   6:             3             72  io.sessionmirror.demo.shop.Cart\n"
            + "   7:           500          16000  java.lang.invoke.LambdaForm$MH/0x0000000800c0c000 (java.base@17.0.15)\n"
            + "Total        420505       19220168\n";

    @Test
    void readsEveryRowAndSumsAClassDefinedTwice() {
        ClassHistogram h = ClassHistogram.parse(JCMD);
        assertEquals(9_600_000, h.bytes("[B"));
        assertEquals(120_000, h.instances("[B"));
        assertEquals(4_000_072, h.bytes("io.sessionmirror.demo.shop.Cart"), "two class loaders, one name");
        assertEquals(100_003, h.instances("io.sessionmirror.demo.shop.Cart"));
        assertEquals(16_000, h.bytes("java.lang.invoke.LambdaForm$MH/0x0000000800c0c000"));
        assertEquals(0, h.bytes("Total"), "the total line is not a class");
        assertEquals(19_220_168, h.totalBytes());
    }

    @Test
    void agentClassesAreItsOwnRelocatedAndArraysButNotTheDemo() {
        assertTrue(ClassHistogram.isAgentClass("io.sessionmirror.agent.core.SessionState"));
        assertTrue(ClassHistogram.isAgentClass("io.sessionmirror.shaded.spy.memcached.MemcachedConnection"));
        assertTrue(ClassHistogram.isAgentClass("io.sessionmirror.bootstrap.MirrorHooks"));
        assertTrue(ClassHistogram.isAgentClass("[[Lio.sessionmirror.agent.core.SessionState;"));
        assertFalse(ClassHistogram.isAgentClass("io.sessionmirror.demo.shop.Cart"));
        assertFalse(ClassHistogram.isAgentClass("[Lio.sessionmirror.demo.shop.Cart;"));
        assertFalse(ClassHistogram.isAgentClass("java.lang.ref.WeakReference"));
        assertFalse(ClassHistogram.isAgentClass("[B"));
        ClassHistogram h = ClassHistogram.parse(JCMD);
        assertEquals(2_400_000 + 3_200_000 + 4096, h.bytes(ClassHistogram::isAgentClass));
    }
}
