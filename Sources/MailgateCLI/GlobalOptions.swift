import ArgumentParser

/// `--config PATH`, taken by every command (INTERFACE.md).
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "config/mailgate.yaml"
}

/// `--json`, taken by every command that lists or shows something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of a table.")
    var json = false
}
