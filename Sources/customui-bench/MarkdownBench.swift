func markdownBenchmarks() throws -> [Figure] { [] }
