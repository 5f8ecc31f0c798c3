package io.sessionmirror.agent.config;

/** Where a key's value came from, to say what is wrong with it in the one-line error users see. */
final class Problem {

    private final Option<?> option;
    private final String raw;
    private final String source;

    Problem(Option<?> option, String raw, String source) {
        this.option = option;
        this.raw = raw;
        this.source = source;
    }

    /** "invalid value 'x' for option 'k' in <source> (<extra>); expected <accepted>", the value masked if secret. */
    ConfigException invalid(String extra) {
        return new ConfigException("session-mirror: invalid value '"
                + (option.isSensitive() ? Option.MASK : OptionsParser.masked(String.valueOf(raw))) + "' for option '"
                + option.key() + "' in " + source + (extra == null ? "" : " (" + extra + ")") + "; expected "
                + option.accepted());
    }

    /** A file named by the value cannot be read. */
    ConfigException unreadable(Exception e) {
        return new ConfigException("session-mirror: invalid value '" + raw + "' for option '" + option.key() + "' in "
                + source + ": cannot read it (" + e.getClass().getSimpleName() + ")" + "; expected " + option.accepted());
    }
}
