package io.sessionmirror.agent.config;

/** A configuration error. Its message is one line that names the key, the bad value and what is accepted. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
