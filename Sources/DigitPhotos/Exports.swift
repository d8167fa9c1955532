// What this product's API mentions, reachable through it: the matrices that
// hold the pixels and the weights, and the error a picture file is refused
// with. Nothing else of the pictures module is API.
@_exported import OctaveCore
@_exported import struct Pictures.ImageFileError
