func jsonSchemaBenchmarks() throws -> [Figure] { [] }
