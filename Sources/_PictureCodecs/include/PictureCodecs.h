#ifndef PICTURE_CODECS_H
#define PICTURE_CODECS_H

#include <stddef.h>

/// libjpeg(-turbo) behind calls that return instead of exiting: each wraps the
/// library in setjmp/longjmp here in C (Swift cannot longjmp), and a failure
/// comes back as a non-zero result with libjpeg's message in `message`
/// (always NUL-terminated, at most `message_size` bytes).

/// What a JPEG's header says, read before anything is allocated for its
/// pixels.
struct pc_jpeg_header {
  int width, height;
  /// 1 for arithmetic coding (rare: phones and editors write Huffman codes).
  int arithmetic;
  /// 1 for a CMYK or YCCK JPEG, which libjpeg cannot make grey.
  int cmyk;
  /// 1 when the picture comes in several scans (progressive, or components
  /// apart), which libjpeg reads whole before the first row comes out.
  int buffered;
  /// The fewest bytes the file's scans can take: a bit for each block of
  /// its smallest component.
  size_t least_bytes;
  /// What libjpeg allocates for a buffered picture's coefficients (0 when
  /// it is not buffered).
  size_t coefficient_bytes;
};

/// Reads a JPEG's header only.
int pc_jpeg_read_header(const unsigned char *data, size_t size, struct pc_jpeg_header *header, char *message,
                        size_t message_size);

/// Decodes a JPEG as 8-bit grey (libjpeg's luminance), shrunk by libjpeg's
/// DCT scaling to 1/`scale_denom` (1, 2, 4 or 8) of each side, into `out`,
/// rows from the top; `capacity` bytes are available. The scaled size is
/// returned in `width` and `height`. Any warning of libjpeg's (corrupt data,
/// a truncated file, an inconsistent progression) ends the decoding at once
/// as a failure (1; past the first scan, the message begins "at scan N: ");
/// a file of more than `max_scans` scans returns 2.
int pc_jpeg_decode_grey(const unsigned char *data, size_t size, int scale_denom, int max_scans, unsigned char *out,
                        size_t capacity, int *width, int *height, char *message, size_t message_size);

/// Encodes `width`×`height` pixels of `components` bytes each (1 grey,
/// 4 CMYK; rows from the top) as a JPEG of the given quality: baseline, or
/// for grey and `scans` from 2 to 127 progressive in that many scans (the DC
/// coefficients, each AC coefficient but its last bit, then the last bits).
/// `*out` is allocated with malloc (free it with pc_free). For tests.
int pc_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality, int scans,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size);

void pc_free(void *pointer);

/// Area averaging by a whole factor: output pixel (r, c) is the mean of the
/// source bytes in rows r·factor ..< (r+1)·factor and columns likewise
/// (those inside the picture, at the right and bottom edges). The output,
/// ceil(height/factor) × ceil(width/factor), is written column-major as doubles.
void pc_area_average(const unsigned char *pixels, int width, int height, int factor, double *out);

/// Grey-level closing of a column-major `rows`×`columns` picture in place
/// (a maximum then a minimum over a square window of side 2·radius + 1, the
/// window cut at the picture's edges): dark marks narrower than the window
/// are filled with the level around them; steps, slopes and broad shadows
/// stay. `scratch` holds max(rows, columns)·3 doubles.
void pc_closing(double *values, int rows, int columns, int radius, double *scratch);

#endif
