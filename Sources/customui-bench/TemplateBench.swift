func templateBenchmarks() throws -> [Figure] { [] }
