import CRMQLCore

/// A scalar value: what parameters take and result cells hold.
public typealias Value = CRMQLCore.Value
/// The type of a field or a result column.
public typealias DataType = CRMQLCore.DataType
/// The ordered symbols of an enum type.
public typealias EnumType = CRMQLCore.EnumType
/// Where in a statement's text something is, as UTF-8 byte offsets.
public typealias SourceRange = CRMQLCore.SourceRange
/// The pipeline phase that reported an error.
public typealias Phase = CRMQLCore.Phase
/// "Did you mean": the closest candidate to a misspelled word, as the
/// library's own errors find it; for a host's commands of its own (the
/// shell's dot commands), so that their errors read like the library's.
public typealias Suggestion = CRMQLCore.Suggestion
/// The pictures a result can be drawn as: bar, line, funnel, heat.
public typealias ChartKind = CRMQLCore.ChartKind
