import Foundation
internal import CHDF5
internal import CZlib

/// The chunk index of a v7.3 file's datasets, checked in the reader child
/// before libmatio reads them.
///
/// A compressed v7.3 variable is stored in chunks, each found through a
/// B-tree of its offset in the matrix, its address and its size in the
/// file. HDF5 1.10 keeps no checksum over that B-tree: a damaged key makes it
/// read past a chunk's bytes, or leave a chunk out (its values then read as
/// the fill value), and the damaged file loads other numbers with exit 0. What
/// the index must satisfy can be checked: every chunk once, on the chunk grid
/// and inside the matrix; every chunk's bytes inside the file and no two
/// chunks' bytes overlapping; each deflated chunk inflating to exactly a
/// chunk's size. Damage that keeps all of that (a chunk's compressed bytes
/// changed into another valid deflate stream of the same length, or two
/// chunks' addresses swapped) cannot be seen: see the Reliability article.
enum MAT73ChunkIndex {
  /// The first top-level variable whose chunk index cannot be right, and
  /// why; nil when every index checks (or the file has no chunked dataset).
  static func problem(inFile path: String) -> (variable: String, why: String)? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    let fileSize = UInt64(status.st_size)
    let file = H5Fopen(path, 0 /* H5F_ACC_RDONLY */, 0 /* H5P_DEFAULT */)
    guard file >= 0 else { return nil }
    defer { H5Fclose(file) }
    var userBlock: hsize_t = 0
    let creation = H5Fget_create_plist(file)
    if creation >= 0 {
      H5Pget_userblock(creation, &userBlock)
      H5Pclose(creation)
    }
    var group = H5G_info_t()
    guard H5Gget_info(file, &group) >= 0 else { return nil }
    for k in 0..<group.nlinks {
      let length = H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, k, nil, 0, 0)
      guard length > 0, length < 4096 else { continue }
      var name = [CChar](repeating: 0, count: length + 1)
      H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, k, &name, name.count, 0)
      let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let dataset = H5Dopen2(file, name, 0)
      guard dataset >= 0 else { continue }  // a group (a struct, #refs#): its matrices are not read
      defer { H5Dclose(dataset) }
      if let why = problem(dataset, fileSize: fileSize, base: UInt64(userBlock)) { return (text, why) }
    }
    return nil
  }

  /// Why one dataset's chunk index cannot be right, or nil.
  private static func problem(_ dataset: hid_t, fileSize: UInt64, base: UInt64) -> String? {
    let creation = H5Dget_create_plist(dataset)
    guard creation >= 0 else { return nil }
    defer { H5Pclose(creation) }
    guard H5Pget_layout(creation) == H5D_CHUNKED else { return nil }
    var chunk = [hsize_t](repeating: 0, count: 32)
    let rank = Int(H5Pget_chunk(creation, 32, &chunk))
    let space = H5Dget_space(dataset)
    guard rank > 0, space >= 0 else { return "its chunk layout cannot be read" }
    defer { H5Sclose(space) }
    var dimensions = [hsize_t](repeating: 0, count: rank)
    guard Int(H5Sget_simple_extent_ndims(space)) == rank, H5Sget_simple_extent_dims(space, &dimensions, nil) >= 0,
      chunk.prefix(rank).allSatisfy({ $0 > 0 })
    else { return "its chunks do not match its dimensions" }
    let type = H5Dget_type(dataset)
    guard type >= 0 else { return nil }
    let elementSize = UInt64(H5Tget_size(type))
    H5Tclose(type)
    // Deflate alone (or no filter) is what MATLAB, libmatio and h5py write;
    // with other filters the inflated size is not checked.
    var deflated = false
    var otherFilter = false
    for f in 0..<max(H5Pget_nfilters(creation), 0) {
      var flags: UInt32 = 0
      var values = 0
      let filter = H5Pget_filter2(creation, UInt32(f), &flags, &values, nil, 0, nil, nil)
      if filter == 1 /* H5Z_FILTER_DEFLATE */ { deflated = true } else { otherFilter = true }
    }
    let shape = dimensions.map(String.init).joined(separator: "×")
    var expected: UInt64 = 1
    var chunkBytes = elementSize
    for d in 0..<rank {
      expected = expected.multipliedReportingOverflow(by: (dimensions[d] + chunk[d] - 1) / chunk[d]).partialValue
      chunkBytes = chunkBytes.multipliedReportingOverflow(by: chunk[d]).partialValue
    }
    // A variable larger than the child may read is refused by name when it
    // is read; its chunks are not inflated here first.
    var bytes = elementSize
    for d in 0..<rank { bytes = bytes.multipliedReportingOverflow(by: dimensions[d]).partialValue }
    if let limit = mat73ChildLimit.withLock({ $0 }), bytes > UInt64(limit) { return nil }
    var count: hsize_t = 0
    guard H5Dget_num_chunks(dataset, space, &count) >= 0 else { return "its chunk index cannot be read" }
    guard count == expected else {
      return "its chunk index lists \(count) chunks where its size \(shape) needs \(expected)"
    }
    var seen = Set<[hsize_t]>()
    var extents: [(start: UInt64, end: UInt64, chunk: Int)] = []
    for k in 0..<count {
      let which = "chunk \(k + 1) of \(count)"
      var offset = [hsize_t](repeating: 0, count: rank)
      var mask: UInt32 = 0
      var address: haddr_t = 0
      var size: hsize_t = 0
      guard H5Dget_chunk_info(dataset, space, k, &offset, &mask, &address, &size) >= 0 else {
        return "\(which) cannot be read from its chunk index"
      }
      let onTheGrid = (0..<rank).allSatisfy { (d: Int) -> Bool in
        offset[d] % chunk[d] == 0 && offset[d] < dimensions[d]
      }
      guard onTheGrid, seen.insert(offset).inserted
      else {
        return "\(which) is at (\(offset.map(String.init).joined(separator: ", "))), not a chunk of its own "
          + "inside \(shape)"
      }
      let (start, past) = base.addingReportingOverflow(UInt64(address))
      let (end, overflow) = start.addingReportingOverflow(size)
      guard !past, !overflow, end <= fileSize, size > 0 else {
        return "\(which) lies outside the file (\(size) bytes at \(address) in a file of \(fileSize))"
      }
      extents.append((start, end, Int(k) + 1))
      guard !otherFilter else { continue }
      if let why = inflationProblem(dataset, offset, size: size, filtered: deflated && mask & 1 == 0, chunkBytes) {
        return "\(which) \(why)"
      }
    }
    extents.sort { $0.start < $1.start }
    for (a, b) in zip(extents, extents.dropFirst()) where b.start < a.end {
      return "chunks \(min(a.chunk, b.chunk)) and \(max(a.chunk, b.chunk)) of \(count) overlap in the file"
    }
    return nil
  }

  /// Why a chunk's stored bytes do not make exactly `chunkBytes` bytes, or nil.
  private static func inflationProblem(
    _ dataset: hid_t, _ offset: [hsize_t], size: hsize_t, filtered: Bool, _ chunkBytes: UInt64
  ) -> String? {
    // Deflate packs at most 1032 bytes into one.
    guard chunkBytes <= 1032 * size + 64, chunkBytes <= 1 << 30 else {
      return "holds \(size) bytes, too few for a chunk of \(chunkBytes)"
    }
    guard filtered else {
      return size == chunkBytes ? nil : "holds \(size) bytes where a chunk has \(chunkBytes)"
    }
    var stored = [UInt8](repeating: 0, count: Int(size))
    var filters: UInt32 = 0
    guard H5Dread_chunk(dataset, 0, offset, &filters, &stored) >= 0 else { return "cannot be read" }
    return inflatedLength(stored, atMost: chunkBytes).map { length in
      length == chunkBytes ? nil : "inflates to \(length) bytes where a chunk has \(chunkBytes)"
    } ?? "does not inflate to a chunk's \(chunkBytes) bytes (its zlib stream is damaged or longer)"
  }

  /// How many bytes `stored` inflates to, counted through one 64 KiB buffer
  /// (so a chunk that declares much costs no memory); nil when its zlib stream
  /// is damaged, cut short, or inflates to more than `limit` bytes.
  private static func inflatedLength(_ stored: [UInt8], atMost limit: UInt64) -> UInt64? {
    var stream = z_stream()
    guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var total: UInt64 = 0
    return stored.withUnsafeBufferPointer { input -> UInt64? in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = uInt(input.count)
      while true {
        let (status, produced) = buffer.withUnsafeMutableBufferPointer { output -> (Int32, Int) in
          stream.next_out = output.baseAddress
          stream.avail_out = uInt(output.count)
          let status = inflate(&stream, Z_NO_FLUSH)
          return (status, output.count - Int(stream.avail_out))
        }
        total += UInt64(produced)
        guard total <= limit else { return nil }
        switch status {
        case Z_STREAM_END: return total
        case Z_OK: if produced == 0 && stream.avail_in == 0 { return nil }
        default: return nil
        }
      }
    }
  }
}
