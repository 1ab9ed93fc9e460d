import CustomUICore
import Testing

/// The validator iterates `ValueObject.keys`/`values` by position; these pin down the storage it relies on
/// (values kept in key order beside an index), which this branch changed in CustomUICore.
@Suite("ValueObject storage")
struct ValueObjectStorageTests {
    @Test func keysAndValuesStayAligned() {
        var object = ValueObject([("a", 1), ("b", 2), ("c", 3), ("d", 4)])
        object["b"] = nil
        object["e"] = 5
        object["a"] = 10
        #expect(object.keys == ["a", "c", "d", "e"])
        #expect(object.values == [10, 3, 4, 5])
        #expect(object["c"] == 3 && object["d"] == 4 && object["e"] == 5 && object["b"] == nil)
        object["a"] = nil
        object["d"] = nil
        #expect(object.keys == ["c", "e"])
        #expect(object["e"] == 5)
        #expect(Array(object.map(\.key)) == ["c", "e"])
        #expect(Array(object.map(\.value)) == [3, 5])
    }

    @Test func equalityAndHashIgnoreOrder() {
        let x = ValueObject([("a", 1), ("b", [1, 2])])
        let y = ValueObject([("b", [1, 2]), ("a", 1)])
        let z = ValueObject([("a", 1), ("b", [2, 1])])
        #expect(x == y)
        #expect(x.hashValue == y.hashValue)
        #expect(x != z)
        #expect(Set<Value>([.object(x), .object(y), .object(z)]).count == 2)
        #expect(ValueObject([("a", 1)]) != ValueObject([("a", 1), ("b", 2)]))
    }

    @Test func repeatedKeysKeepFirstPositionAndLastValue() {
        let object = ValueObject([("k", 1), ("j", 2), ("k", 3)])
        #expect(object.keys == ["k", "j"])
        #expect(object.values == [3, 2])
    }
}
