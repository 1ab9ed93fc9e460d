import Foundation
import Testing

@testable import CustomUIServer

/// Props as an input path in the browser: 500 payloads of the XSS corpora as a UI file's props
/// (`NAME.props.json`), each in a card's title, a heading, text, a link's address and text, a
/// badge, an image's address and description; one more in the input's label, help and placeholder,
/// the Run button and the slot's placeholder. No script runs, nothing loads from elsewhere, and no
/// CSP violation or console error is reported, before and after a run.
extension BrowserXSSTests {
    static let propsTemplate = """
        <custom-ui name="Props XSS" execution-mode="manual">
          <view>
            <each items="props.items" as="p">
              <card title="{{ p }}">
                <heading level="2">{{ p }}</heading>
                <text>{{ p }} <link href="{{ p }}">{{ p }}</link> <badge>{{ p }}</badge></text>
                <image src="{{ p }}" alt="{{ p }}"/>
              </card>
            </each>
            <variable name="question" label="{{ props.first }}" help="{{ props.first }}" placeholder="{{ props.first }}"/>
            <run label="{{ props.first }}"/>
            <slot name="answer" format="markdown" placeholder="{{ props.first }}"/>
          </view>
        </custom-ui>
        """

    @Test func propsShowAsTextInThePage() async throws {
        guard let browser = try launchBrowser() else { return }
        let payloads = try Self.payloads()
        #expect(payloads.count == 500)
        let directory = NSTemporaryDirectory() + "customui-props-xss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.propsTemplate.write(toFile: directory + "/props-xss.ui.xml", atomically: true, encoding: .utf8)
        let prompt: [String: Any] = [
            "name": "Props XSS", "messages": [["role": "user", "content": "{{question}}"]],
            "variableDefaults": [["name": "question", "defaultValue": "why?"]],
            "settings": ["model_id": "m", "stream": true],
        ]
        try JSONSerialization.data(withJSONObject: prompt).write(
            to: URL(fileURLWithPath: directory + "/props-xss.prompt.json"))
        try JSONSerialization.data(withJSONObject: ["items": payloads, "first": payloads[0]]).write(
            to: URL(fileURLWithPath: directory + "/props-xss.props.json"))
        let f = try ServerFixture(
            answers: .replay(
                file: try Self.recording(Array(payloads.prefix(20)), in: directory), directory: nil,
                pace: false, speed: 1),
            files: [directory + "/props-xss.ui.xml"])
        let page = try await BrowserTests().open(browser, "http://\(f.host)/ui/local/props-xss")
        #expect(try page.number("document.querySelectorAll('.cui-card').length") == 500, "every payload has its card")
        // The payloads are shown as text: each heading holds its payload's characters.
        let headings = try page.string(
            "JSON.stringify(Array.from(document.querySelectorAll('.cui-card h2')).map(function (h) { return h.textContent; }))"
        )
        let shown = try JSONSerialization.jsonObject(with: Data(headings.utf8)) as? [String] ?? []
        #expect(shown.count == 500)
        let tagged = zip(shown, payloads).filter { $0.1.contains("<script") }
        #expect(!tagged.isEmpty && tagged.allSatisfy { $0.0.contains("<script") }, "a <script> payload shows as text")
        try check(page, browser)
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        #expect(try page.number("document.querySelectorAll('.cui-card').length") == 500, "the view kept every card")
        try check(page, browser)
    }
}
