func libraryBenchmarks() throws -> [Figure] { [] }
