#include "PictureCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/// libjpeg's error manager, extended with where to jump back to and the first
/// corrupt-data warning.
struct pc_error {
  struct jpeg_error_mgr manager;
  jmp_buf back;
  char warning[JMSG_LENGTH_MAX];
};

static void pc_error_exit(j_common_ptr info) {
  struct pc_error *error = (struct pc_error *)info->err;
  longjmp(error->back, 1);
}

static void pc_emit_message(j_common_ptr info, int level) {
  struct pc_error *error = (struct pc_error *)info->err;
  if (level < 0) {
    // A warning: libjpeg goes on with grey where the data is missing.
    if (error->manager.num_warnings == 0) (*info->err->format_message)(info, error->warning);
    error->manager.num_warnings++;
  }
}

static void pc_copy(char *message, size_t message_size, const char *text) {
  if (message_size == 0) return;
  snprintf(message, message_size, "%s", text);
}

static void pc_copy_last(j_common_ptr info, char *message, size_t message_size) {
  char text[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, text);
  pc_copy(message, message_size, text);
}

static void pc_set_up(struct jpeg_decompress_struct *info, struct pc_error *error) {
  info->err = jpeg_std_error(&error->manager);
  error->manager.error_exit = pc_error_exit;
  error->manager.emit_message = pc_emit_message;
  error->warning[0] = 0;
}

int pc_jpeg_read_size(const unsigned char *data, size_t size, int *width, int *height, char *message,
                      size_t message_size) {
  struct jpeg_decompress_struct info;
  struct pc_error error;
  pc_set_up(&info, &error);
  if (setjmp(error.back)) {
    pc_copy_last((j_common_ptr)&info, message, message_size);
    jpeg_destroy_decompress(&info);
    return 1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, (unsigned long)size);
  jpeg_read_header(&info, TRUE);
  *width = (int)info.image_width;
  *height = (int)info.image_height;
  jpeg_destroy_decompress(&info);
  return 0;
}

int pc_jpeg_decode_grey(const unsigned char *data, size_t size, int scale_denom, unsigned char *out,
                        size_t capacity, int *width, int *height, char *message, size_t message_size) {
  struct jpeg_decompress_struct info;
  struct pc_error error;
  pc_set_up(&info, &error);
  if (setjmp(error.back)) {
    pc_copy_last((j_common_ptr)&info, message, message_size);
    jpeg_destroy_decompress(&info);
    return 1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, (unsigned long)size);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    pc_copy(message, message_size, "CMYK");
    jpeg_destroy_decompress(&info);
    return 2;
  }
  info.out_color_space = JCS_GRAYSCALE;
  info.scale_num = 1;
  info.scale_denom = (unsigned int)scale_denom;
  jpeg_start_decompress(&info);
  size_t stride = info.output_width;
  if (info.output_components != 1 || stride * info.output_height > capacity) {
    pc_copy(message, message_size, "the decoded picture does not fit the space its header promised");
    jpeg_destroy_decompress(&info);
    return 1;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
    if (error.manager.num_warnings > 0) break;
  }
  if (error.manager.num_warnings > 0) {
    pc_copy(message, message_size, error.warning);
    jpeg_destroy_decompress(&info);
    return 1;
  }
  *width = (int)info.output_width;
  *height = (int)info.output_height;
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  if (error.manager.num_warnings > 0) {
    pc_copy(message, message_size, error.warning);
    return 1;
  }
  return 0;
}

int pc_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size) {
  struct jpeg_compress_struct info;
  struct pc_error error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = pc_error_exit;
  unsigned char *buffer = NULL;
  unsigned long length = 0;
  if (setjmp(error.back)) {
    pc_copy_last((j_common_ptr)&info, message, message_size);
    jpeg_destroy_compress(&info);
    free(buffer);
    return 1;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &length);
  info.image_width = (JDIMENSION)width;
  info.image_height = (JDIMENSION)height;
  info.input_components = components;
  info.in_color_space = components == 4 ? JCS_CMYK : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)width * (size_t)components * info.next_scanline);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  *out = buffer;
  *out_size = length;
  return 0;
}

void pc_free(void *pointer) { free(pointer); }

void pc_area_average(const unsigned char *pixels, int width, int height, int factor, double *out) {
  int out_width = (width + factor - 1) / factor;
  int out_height = (height + factor - 1) / factor;
  double *sums = calloc((size_t)out_width, sizeof(double));
  for (int r = 0; r < out_height; r++) {
    memset(sums, 0, sizeof(double) * (size_t)out_width);
    int first = r * factor;
    int last = first + factor < height ? first + factor : height;
    for (int y = first; y < last; y++) {
      const unsigned char *row = pixels + (size_t)y * (size_t)width;
      for (int x = 0; x < width; x++) sums[x / factor] += row[x];
    }
    for (int c = 0; c < out_width; c++) {
      int columns = (c + 1) * factor < width ? factor : width - c * factor;
      out[r + (size_t)c * (size_t)out_height] = sums[c] / (double)(columns * (last - first));
    }
  }
  free(sums);
}

/// The running maximum (or minimum) of `count` values `stride` apart over
/// windows of `radius` either side, cut at the ends (van Herk / Gil–Werman:
/// prefix and suffix extremes within blocks of the window's width).
static void pc_extreme_line(double *line, int count, long stride, int radius, int maximum, double *scratch) {
  int span = 2 * radius + 1;
  double *prefix = scratch, *suffix = scratch + count, *copy = scratch + 2 * count;
  for (int k = 0; k < count; k++) copy[k] = line[k * stride];
  for (int k = 0; k < count; k++) {
    double v = copy[k];
    if (k % span == 0) prefix[k] = v;
    else prefix[k] = maximum ? (v > prefix[k - 1] ? v : prefix[k - 1]) : (v < prefix[k - 1] ? v : prefix[k - 1]);
  }
  for (int k = count - 1; k >= 0; k--) {
    double v = copy[k];
    if (k == count - 1 || (k + 1) % span == 0) suffix[k] = v;
    else suffix[k] = maximum ? (v > suffix[k + 1] ? v : suffix[k + 1]) : (v < suffix[k + 1] ? v : suffix[k + 1]);
  }
  for (int k = 0; k < count; k++) {
    int from = k - radius < 0 ? 0 : k - radius;
    int to = k + radius > count - 1 ? count - 1 : k + radius;
    // [from, to] is at most one block boundary wide: suffix from `from`, prefix to `to`.
    // Within one block the window starts the block (cut at the left end)
    // or ends at the line's end (cut at the right).
    double a = suffix[from], b = prefix[to];
    if (to / span == from / span) a = b = from % span == 0 ? prefix[to] : suffix[from];
    line[k * stride] = maximum ? (a > b ? a : b) : (a < b ? a : b);
  }
}

void pc_closing(double *values, int rows, int columns, int radius, double *scratch) {
  if (radius < 1) return;
  for (int pass = 0; pass < 2; pass++) {
    int maximum = pass == 0;
    for (int c = 0; c < columns; c++) pc_extreme_line(values + (size_t)c * rows, rows, 1, radius, maximum, scratch);
    for (int r = 0; r < rows; r++) pc_extreme_line(values + r, columns, rows, radius, maximum, scratch);
  }
}
