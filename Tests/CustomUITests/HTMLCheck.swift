import Foundation

/// A strict checker for the HTML the renderer writes: tags nest and close properly (void elements
/// excepted), ids are unique, every `<label for>` names an existing control, and every control
/// (other than hidden ones and buttons) is labelled, by `for` or by a `fieldset`'s `legend`.
struct HTMLCheck {
    struct Tag {
        var name: String
        var attributes: [(name: String, value: String)]
        var closing: Bool
        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    static let voidElements: Set<String> = ["meta", "input", "br", "hr", "img", "link"]

    var problems: [String] = []
    var tags: [Tag] = []

    init(_ html: String) {
        tags = Self.tokenize(html, problems: &problems)
        var stack: [String] = []
        var ids = Set<String>()
        var labelTargets: [String] = []
        var controls: [(id: String?, inFieldset: Bool, type: String)] = []
        var fieldsetDepth = 0
        for tag in tags {
            if tag.closing {
                guard let open = stack.popLast() else {
                    problems.append("stray </\(tag.name)>")
                    continue
                }
                if open != tag.name { problems.append("</\(tag.name)> closes <\(open)>") }
                if tag.name == "fieldset" { fieldsetDepth -= 1 }
                continue
            }
            if tag.name == "!doctype" { continue }
            if let id = tag.attribute("id"), !ids.insert(id).inserted { problems.append("duplicate id \(id)") }
            if tag.name == "label", let target = tag.attribute("for") { labelTargets.append(target) }
            if ["input", "select", "textarea"].contains(tag.name) {
                controls.append((tag.attribute("id"), fieldsetDepth > 0, tag.attribute("type") ?? tag.name))
            }
            if tag.name == "fieldset" { fieldsetDepth += 1 }
            if !Self.voidElements.contains(tag.name) { stack.append(tag.name) }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack)") }
        for target in labelTargets where !controls.contains(where: { $0.id == target }) {
            problems.append("label for=\(target) names no control")
        }
        for control in controls where !control.inFieldset {
            guard let id = control.id, labelTargets.contains(id) else {
                problems.append("\(control.type) \(control.id ?? "without id") has no label")
                continue
            }
        }
        for control in controls where control.inFieldset && (control.type == "radio" || control.type == "checkbox") {
            if let id = control.id, !labelTargets.contains(id) { problems.append("choice \(id) has no label") }
        }
    }

    /// Tags in order; text is skipped. Reports `<` that does not start a tag, and unterminated tags.
    static func tokenize(_ html: String, problems: inout [String]) -> [Tag] {
        let bytes = Array(html.utf8)
        var tags: [Tag] = []
        var i = 0
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 45 || b == 33
        }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if html.utf8.count > i + 3, bytes[i + 1] == 0x21, bytes[i + 2] == 0x2D, bytes[i + 3] == 0x2D {
                problems.append("comment in output")
                i += 4
                continue
            }
            var j = i + 1
            let closing = j < bytes.count && bytes[j] == UInt8(ascii: "/")
            if closing { j += 1 }
            let nameStart = j
            while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
            guard j > nameStart else {
                problems.append("bare < at \(i)")
                i += 1
                continue
            }
            let name = String(decoding: bytes[nameStart..<j], as: UTF8.self).lowercased()
            var attributes: [(String, String)] = []
            while j < bytes.count, bytes[j] != UInt8(ascii: ">") {
                if bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == UInt8(ascii: "/") {
                    j += 1
                    continue
                }
                let attrStart = j
                while j < bytes.count, bytes[j] != UInt8(ascii: "="), bytes[j] != 0x20, bytes[j] != UInt8(ascii: ">") {
                    j += 1
                }
                let attrName = String(decoding: bytes[attrStart..<j], as: UTF8.self).lowercased()
                var value = ""
                if j < bytes.count, bytes[j] == UInt8(ascii: "=") {
                    j += 1
                    guard j < bytes.count, bytes[j] == UInt8(ascii: "\"") else {
                        problems.append("unquoted attribute \(attrName) in <\(name)>")
                        break
                    }
                    j += 1
                    let valueStart = j
                    while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
                    value = String(decoding: bytes[valueStart..<min(j, bytes.count)], as: UTF8.self)
                    j += 1
                }
                attributes.append((attrName, value))
            }
            guard j < bytes.count else {
                problems.append("unterminated <\(name)>")
                break
            }
            tags.append(Tag(name: name, attributes: attributes, closing: closing))
            i = j + 1
        }
        return tags
    }
}
