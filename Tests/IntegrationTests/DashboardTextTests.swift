import Foundation
import Testing

@testable import LakehouseServer

/// What the server writes from the database's text: HTML, CSV, query strings, addresses.
@Suite("Dashboard text: HTML and CSV escaping by Unicode scalar, form-encoded queries, loopback addresses")
struct DashboardTextTests {
    @Test("HTML: a quote with a combining mark after it is still escaped; markup becomes text")
    func html() {
        #expect(HTML.escape("\"\u{301} onmouseover=x") == "&quot;\u{301} onmouseover=x")
        #expect(HTML.escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTML.escape("Crème brûlée") == "Crème brûlée")
    }

    @Test("CSV: CRLF and a quote with a combining mark are quoted; a formula's first character is defused")
    func csv() {
        #expect(OrderCSV.field("plain") == "plain")
        #expect(OrderCSV.field("a\r\n=cmd") == "\"a\r\n=cmd\"")
        #expect(OrderCSV.field("\r\n=cmd") == "\"'\r\n=cmd\"")
        #expect(OrderCSV.field("x\"\u{301}y") == "\"x\"\"\u{301}y\"")
        #expect(OrderCSV.field("=SUM(A1)") == "'=SUM(A1)" && OrderCSV.field("-2") == "'-2")
        #expect(OrderCSV.field("a, b") == "\"a, b\"")
    }

    @Test("Query strings as forms send them: + is a space, %2B a plus, bad encoding left out")
    func formEncoding() {
        #expect(formValues("q=whole+milk&limit=5", "q") == ["whole milk"])
        #expect(formValues("q=%2B1&q=x", "q") == ["+1", "x"])
        #expect(formValues("q=%ZZ", "q") == [])
        #expect(formValues("a=1", "q") == [])
    }

    @Test("Loopback: localhost, ::1 and 127.0.0.0/8 literals; a name that starts with 127. is not")
    func loopback() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] {
            #expect(ServerConfiguration(host: host, stream: "s").isLoopback, "\(host)")
        }
        for host in ["127.corp.lan", "0.0.0.0", "10.0.0.1", "127.0.0.1.example.com", "127.0.0.256"] {
            #expect(!ServerConfiguration(host: host, stream: "s").isLoopback, "\(host)")
        }
    }
}
