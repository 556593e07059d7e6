import HMM

/// A parsed and validated model file, with what a report or a trace needs
/// to name and pin the exact input it came from.
public struct LoadedModel: Sendable {
  public var config: ModelConfig
  /// The path as given to the loader.
  public var file: String
  /// `Fingerprint.of` the file's bytes: traces record it so a replay can
  /// tell that the model file changed since the trace was made.
  public var sourceHash: UInt64
  /// The file's text, for echoing source lines in reports.
  public var text: String

  public init(config: ModelConfig, file: String, sourceHash: UInt64, text: String) {
    self.config = config
    self.file = file
    self.sourceHash = sourceHash
    self.text = text
  }
}
