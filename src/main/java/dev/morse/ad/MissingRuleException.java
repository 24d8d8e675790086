package dev.morse.ad;

/** A primitive was asked for a rule it does not define: never a silent zero. */
public final class MissingRuleException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    public MissingRuleException(String primitive, String rule) {
        super("primitive '" + primitive + "' has no " + rule + " rule");
    }
}
