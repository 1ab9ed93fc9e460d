func streamingBenchmarks() throws -> [Figure] { [] }
