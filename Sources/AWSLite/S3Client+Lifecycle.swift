import Crypto
import Foundation

/// A bucket lifecycle rule: objects under a prefix move to another storage class after some
/// days, and expire (are deleted) after more.
public struct S3LifecycleRule: Sendable, Hashable, CustomStringConvertible {
    /// The rule's id (unique in the bucket).
    public var id: String
    /// The keys it applies to (`sales_data/`; empty: the whole bucket).
    public var prefix: String
    /// Days after which objects move to ``transitionStorageClass`` (`nil`: they stay).
    public var transitionDays: Int?
    /// The storage class they move to (`STANDARD_IA`, `GLACIER_IR`, `GLACIER`…).
    public var transitionStorageClass: String?
    /// Days after which objects are deleted (`nil`: never).
    public var expirationDays: Int?

    /// A rule `id` for the keys under `prefix`.
    public init(
        id: String, prefix: String, transitionDays: Int? = nil, transitionStorageClass: String? = nil,
        expirationDays: Int? = nil
    ) {
        self.id = id
        self.prefix = prefix
        self.transitionDays = transitionDays
        self.transitionStorageClass = transitionStorageClass
        self.expirationDays = expirationDays
    }

    /// `sales_data/: to GLACIER after 30 days, expire after 400 days`.
    public var description: String {
        var parts: [String] = []
        if let transitionDays, let transitionStorageClass {
            parts.append("to \(transitionStorageClass) after \(transitionDays) days")
        }
        if let expirationDays { parts.append("expire after \(expirationDays) days") }
        return "\(prefix.isEmpty ? "every key" : prefix): "
            + (parts.isEmpty ? "nothing" : parts.joined(separator: ", "))
    }
}

extension S3Client {
    /// Replaces the bucket's lifecycle configuration with `rules` (S3 `PutBucketLifecycleConfiguration`).
    ///
    /// - Throws: ``AWSError`` as S3 reports it (`MalformedXML` for a rule S3 refuses).
    public func putBucketLifecycle(bucket: String, rules: [S3LifecycleRule]) async throws {
        var xml = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for rule in rules {
            xml += "<Rule><ID>\(xmlEscaped(rule.id))</ID><Filter><Prefix>\(xmlEscaped(rule.prefix))</Prefix></Filter>"
            xml += "<Status>Enabled</Status>"
            if let days = rule.transitionDays, let storageClass = rule.transitionStorageClass {
                xml +=
                    "<Transition><Days>\(days)</Days><StorageClass>\(xmlEscaped(storageClass))</StorageClass></Transition>"
            }
            if let days = rule.expirationDays { xml += "<Expiration><Days>\(days)</Days></Expiration>" }
            xml += "</Rule>"
        }
        xml += "</LifecycleConfiguration>"
        let body = Array(xml.utf8)
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        _ = try await sender.send(
            HTTPRequest(
                method: "PUT", url: url(bucket: bucket) + "?lifecycle",
                headers: [("Content-MD5", md5), ("Content-Type", "application/xml")], body: body),
            operation: "PutBucketLifecycleConfiguration")
    }

    /// The bucket's enabled lifecycle rules (empty when it has none).
    ///
    /// - Throws: ``AWSError`` as S3 reports it, other than "no lifecycle configuration".
    public func bucketLifecycle(bucket: String) async throws -> [S3LifecycleRule] {
        let response: HTTPResponse
        do {
            response = try await sender.send(
                HTTPRequest(method: "GET", url: url(bucket: bucket) + "?lifecycle"),
                operation: "GetBucketLifecycleConfiguration")
        } catch let error as AWSError where error.code.rawValue == "NoSuchLifecycleConfiguration" {
            return []
        }
        let root = try XMLElement.parse(response.body)
        return root.children("Rule").filter { $0.value("Status") == "Enabled" }.map { rule in
            S3LifecycleRule(
                id: rule.value("ID") ?? "",
                prefix: rule.child("Filter")?.value("Prefix") ?? rule.value("Prefix") ?? "",
                transitionDays: rule.child("Transition")?.value("Days").flatMap { Int($0) },
                transitionStorageClass: rule.child("Transition")?.value("StorageClass"),
                expirationDays: rule.child("Expiration")?.value("Days").flatMap { Int($0) })
        }
    }
}
