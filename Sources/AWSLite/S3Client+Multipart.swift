import Foundation

extension S3Client {
    /// Uploads `size` bytes in parts of ``Options/partSize``, reading each part with `readPart`
    /// just before it is sent, so memory holds one part at a time. Aborts the upload on failure.
    func multipartUpload(
        bucket: String, key: String, contentType: String, ifNoneMatch: Bool, size: Int,
        readPart: @Sendable (Range<Int>) throws -> [UInt8]
    ) async throws -> S3PutOutcome {
        let objectURL = url(bucket: bucket, key: key)
        let created = try await sender.send(
            HTTPRequest(method: "POST", url: objectURL + "?uploads", headers: [("Content-Type", contentType)]),
            operation: "CreateMultipartUpload")
        guard let uploadID = try XMLElement.parse(created.body).value("UploadId"), !uploadID.isEmpty else {
            throw AWSError(
                code: .invalidResponse, message: "CreateMultipartUpload returned no UploadId",
                operation: "CreateMultipartUpload")
        }
        let encodedID = SigV4Encoding.encode(uploadID.utf8)
        do {
            var parts: [(number: Int, eTag: String)] = []
            var offset = 0
            while offset < size {
                let range = offset..<min(offset + options.partSize, size)
                let number = parts.count + 1
                let body: [UInt8]
                do { body = try readPart(range) } catch {
                    throw AWSError(code: .localFileFailure, message: "reading part \(number) failed: \(error)")
                }
                let response = try await sender.send(
                    HTTPRequest(
                        method: "PUT", url: objectURL + "?partNumber=\(number)&uploadId=\(encodedID)", body: body),
                    operation: "UploadPart")
                parts.append((number, response.header("ETag") ?? ""))
                offset = range.upperBound
            }
            let document =
                "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(xmlEscaped($0.eTag))</ETag></Part>" }
                .joined() + "</CompleteMultipartUpload>"
            var headers: [(name: String, value: String)] = [("Content-Type", "application/xml")]
            if ifNoneMatch { headers.append(("If-None-Match", "*")) }
            let completed = try await sender.send(
                HTTPRequest(
                    method: "POST", url: objectURL + "?uploadId=\(encodedID)", headers: headers,
                    body: Array(document.utf8)),
                operation: "CompleteMultipartUpload", accept: ifNoneMatch ? [412] : [])
            if completed.status == 412 {
                try? await abortMultipartUpload(objectURL: objectURL, encodedID: encodedID)
                return .preconditionFailed
            }
            // S3 can answer 200 with an <Error> body when completion fails late.
            let root = try XMLElement.parse(completed.body)
            if root.name == "Error" {
                throw AWSErrorParser.error(
                    from: HTTPResponse(status: 500, headers: completed.headers, body: completed.body),
                    operation: "CompleteMultipartUpload")
            }
            return .stored(eTag: root.value("ETag") ?? completed.header("ETag") ?? "")
        } catch {
            try? await abortMultipartUpload(objectURL: objectURL, encodedID: encodedID)
            throw error
        }
    }

    private func abortMultipartUpload(objectURL: String, encodedID: String) async throws {
        _ = try await sender.send(
            HTTPRequest(method: "DELETE", url: objectURL + "?uploadId=\(encodedID)"), operation: "AbortMultipartUpload")
    }
}
