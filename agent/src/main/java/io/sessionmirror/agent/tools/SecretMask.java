package io.sessionmirror.agent.tools;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which values {@code inspect --values} must not print: an attribute whose name or class names a secret
 * (password, secret, token, credential, key) prints {@code ****}. A guess by name, erring on the side of hiding
 * (a "monkey" attribute is hidden too); a secret inside an innocently named object's toString is not caught, which
 * is why values are printed only when asked.
 */
final class SecretMask {

    static final String MASK = "****";
    private static final Pattern SECRET = Pattern.compile("passw|pwd|secret|token|credential|key|private|otp|cookie");

    private SecretMask() {
    }

    static boolean hides(String name, String className) {
        return SECRET.matcher(name.toLowerCase(Locale.ROOT)).find()
                || (className != null && SECRET.matcher(className.toLowerCase(Locale.ROOT)).find());
    }

    /** A value as printed: masked when it looks secret, one line, at most {@code max} characters. */
    static String shown(String name, String className, String value, int max) {
        if (hides(name, className)) {
            return MASK;
        }
        String oneLine = value.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "... (" + oneLine.length() + " chars)";
    }
}
