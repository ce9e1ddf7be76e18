import CRMQLCore
import XCTest
@testable import CRMQLStorage

/// Loads CSV text into `store`.
func loadCSV(_ text: String, as entity: String, into store: Store = Store(), fileName: String? = nil,
             options: LoadOptions = LoadOptions()) throws -> LoadResult {
    try Loader.load(bytes: Array(text.utf8), fileName: fileName ?? "\(entity).csv", format: .csv,
                    entityName: entity, into: store, options: options)
}

/// Loads JSON text into `store`.
func loadJSON(_ text: String, as entity: String, into store: Store = Store(), options: LoadOptions = LoadOptions()) throws -> LoadResult {
    try Loader.load(bytes: Array(text.utf8), fileName: "\(entity).json", format: .json,
                    entityName: entity, into: store, options: options)
}

/// The message of the `Diagnostic` an expression throws.
func diagnosticMessage(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String? {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch let diagnostic as Diagnostic {
        XCTAssertEqual(diagnostic.phase, .io, file: file, line: line)
        return diagnostic.message
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}

/// Every value of a field, for comparing whole columns.
func values(_ store: Store, _ entity: String, _ field: String) -> [Value] {
    guard let entity = store[entity], let index = entity.fieldIndex(field) else { return [] }
    let column = entity.columns[index]
    return (0..<column.count).map { column.value(at: $0) }
}

/// A field's type.
func type(_ store: Store, _ entity: String, _ field: String) -> DataType? {
    guard let entity = store[entity], let index = entity.fieldIndex(field) else { return nil }
    return entity.fields[index].type
}

/// A temporary folder removed at the end of the test.
func temporaryFolder(_ testCase: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-storage-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}
