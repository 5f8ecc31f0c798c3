package io.sessionmirror.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Makes the bootstrap bridge visible from module systems' class loaders, which do not delegate to the boot class
 * path by default: JBoss Modules (WildFly, only {@code java.*} and {@code jboss.modules.system.pkgs}) and OSGi
 * frameworks (Felix in Payara Server and GlassFish, Equinox; only {@code org.osgi.framework.bootdelegation}).
 * The advice inlined into a server class defined by such a loader refers to {@code io.sessionmirror.bootstrap.*};
 * the JVM resolves that reference through the defining loader's {@code loadClass}, and this advice answers those
 * names (and only those) from the boot class path before the loader looks anywhere else.
 *
 * <p>Advice rather than the frameworks' own settings, because a setting is read once, early: an agent started
 * through WildFly's {@code MODULE_OPTS}, or attached to a running server, comes after JBoss Modules has read
 * {@code jboss.modules.system.pkgs}, and Payara reads its OSGi boot delegation from its own file. The loader
 * classes are retransformed without changing their shape, so attach works as start-up does.
 */
public final class BridgeDelegation {

    /** The class loaders that do not delegate our package to the boot loader, and the method that loads a class. */
    static final List<String> LOADERS = List.of(
            "org.jboss.modules.ConcurrentClassLoader",
            "org.apache.felix.framework.BundleWiringImpl$BundleClassLoader",
            "org.eclipse.osgi.internal.loader.ModuleClassLoader");

    private BridgeDelegation() {
    }

    /** The names of the classes this instruments, for the installer's cheap first filter. */
    public static List<String> typeNames() {
        return LOADERS;
    }

    public static AgentBuilder instrument(AgentBuilder builder) {
        ElementMatcher.Junction<TypeDescription> loaders = ElementMatchers.none();
        for (String name : LOADERS) {
            loaders = loaders.or(named(name));
        }
        return builder.type(loaders).transform((b, type, loader, module, domain) -> b
                .visit(Advice.to(LoadFromBoot.class).on(named("loadClass").and(takesArgument(0, String.class)))));
    }

    /** Answers {@code io.sessionmirror.bootstrap.*} from the boot class path; every other name goes on as before. */
    public static final class LoadFromBoot {

        private LoadFromBoot() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Class<?> enter(@Advice.Argument(0) String name) {
            if (name != null && name.startsWith("io.sessionmirror.bootstrap.")) {
                try {
                    return Class.forName(name, false, null);
                } catch (ClassNotFoundException e) {
                    return null; // not ours after all: the loader answers as it would without the agent
                }
            }
            return null;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter Class<?> fromBoot,
                         @Advice.Return(readOnly = false) Class<?> loaded) {
            if (fromBoot != null) {
                loaded = fromBoot;
            }
        }
    }
}
