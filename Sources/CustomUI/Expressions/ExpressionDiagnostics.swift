import CustomUICore

extension DiagnosticCode {
    /// A token that cannot appear where it was written.
    public static let exprUnexpectedToken: Self = "expr.unexpected-token"
    /// A string literal without its closing quote.
    public static let exprUnterminatedString: Self = "expr.unterminated-string"
    /// A `{{` in text without a matching `}}`.
    public static let exprUnclosedInterpolation: Self = "expr.unclosed-interpolation"
    /// An attribute value or `{{ }}` with no expression in it.
    public static let exprEmpty: Self = "expr.empty"
    /// A filter name that is not in the fixed set.
    public static let exprUnknownFilter: Self = "expr.unknown-filter"
    /// A filter called with too few or too many arguments.
    public static let exprFilterArity: Self = "expr.filter-arity"
    /// A backslash escape that string literals do not support.
    public static let exprInvalidEscape: Self = "expr.invalid-escape"
    /// A number literal that is not valid number syntax.
    public static let exprInvalidNumber: Self = "expr.invalid-number"
    /// An operator or filter applied to a value of the wrong type.
    public static let exprTypeMismatch: Self = "expr.type-mismatch"
    /// `divided_by: 0` or `modulo: 0`.
    public static let exprDivisionByZero: Self = "expr.division-by-zero"
    /// A value of the right type outside what a filter accepts (a negative length, an unknown date format).
    public static let exprInvalidArgument: Self = "expr.invalid-argument"
    /// Expression nesting deeper than `ResourceLimits.maxExpressionDepth`.
    public static let limitExpressionDepth: Self = Limit.expressionDepth.code

    /// Every code the expression parser and evaluator can emit, for the diagnostics catalogue.
    ///
    /// The evaluator also reports `limit.steps`, `limit.output-size` and `limit.deadline` when a budget runs out.
    public static let expressionCodes: [DiagnosticCode] = [
        .exprUnexpectedToken, .exprUnterminatedString, .exprUnclosedInterpolation, .exprEmpty,
        .exprUnknownFilter, .exprFilterArity, .exprInvalidEscape, .exprInvalidNumber, .exprTypeMismatch,
        .exprDivisionByZero, .exprInvalidArgument, .limitExpressionDepth, Limit.steps.code,
        Limit.outputBytes.code, Limit.deadline.code,
    ]
}
