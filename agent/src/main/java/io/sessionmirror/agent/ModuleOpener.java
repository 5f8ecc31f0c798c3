package io.sessionmirror.agent;

import java.lang.instrument.Instrumentation;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * FST reflects into JDK classes (String, collections, java.time, ...), which JDK 17+ forbids unless the
 * packages are opened. Instead of asking users for {@code --add-opens}, the agent opens them through
 * {@link Instrumentation#redefineModule} to its own class loader's unnamed module only: the
 * application gains no access it did not have.
 */
final class ModuleOpener {

    private static final String[] JAVA_BASE = {
        "java.lang", "java.lang.reflect", "java.math", "java.net", "java.nio", "java.security", "java.text",
        "java.time", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "java.util.concurrent.locks",
        "java.util.regex", "java.io", "sun.util.calendar"};

    private ModuleOpener() {
    }

    static void openForSerializer(Instrumentation inst) {
        Module agent = ModuleOpener.class.getModule();
        open(inst, Object.class.getModule(), agent, JAVA_BASE);
        Optional<Module> sql = ModuleLayer.boot().findModule("java.sql");
        sql.ifPresent(m -> open(inst, m, agent, "java.sql"));
    }

    private static void open(Instrumentation inst, Module module, Module to, String... packages) {
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String p : packages) {
            if (module.getPackages().contains(p)) {
                opens.put(p, Collections.singleton(to));
            }
        }
        inst.redefineModule(module, Collections.emptySet(), Collections.emptyMap(), opens, Collections.emptySet(),
                Collections.emptyMap());
    }
}
