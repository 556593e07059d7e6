import CheckerCore

/// A problem in a model file, placed at the YAML node that caused it.
public typealias ModelFileError = InputError
